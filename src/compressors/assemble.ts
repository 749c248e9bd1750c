/**
 * The prompt handed to the decoder: instruction, contexts and question joined by blank lines, as
 * in the reference. Instruction and question go in verbatim (never compressed) and count in the
 * token totals; a context with no text left (or only whitespace) is left out with its separator.
 * Original and compressed prompts are assembled the same way, so their counts compare.
 */
export const PART_SEPARATOR = "\n\n";

export interface PromptParts {
  readonly instruction?: string | undefined;
  readonly contexts: readonly string[];
  readonly question?: string | undefined;
}

export function promptPieces({ instruction, contexts, question }: PromptParts): string[] {
  return [
    ...(instruction ? [instruction] : []),
    ...contexts.filter((context) => context.trim() !== ""),
    ...(question ? [question] : []),
  ];
}

export function assemblePrompt(parts: PromptParts): string {
  return promptPieces(parts).join(PART_SEPARATOR);
}
