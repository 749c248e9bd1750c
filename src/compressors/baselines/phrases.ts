import type { Span } from "../../model/types.js";

/**
 * A rule-based stand-in for the noun chunks Selective-Context prunes (the reference uses spaCy's
 * parser, which has no Node equivalent): the text is cut into lexical units that tile it, each
 * word carrying the whitespace before it.
 * - punctuation runs are units of their own;
 * - function words (prepositions, conjunctions, pronouns, auxiliaries) are units of their own;
 * - a determiner or possessive opens a new phrase;
 * - other words join the open phrase, up to MAX_PHRASE_WORDS words.
 * So "the old man of the sea" gives "the old man" | " of" | " the sea".
 */
const MAX_PHRASE_WORDS = 4;

const DETERMINERS = new Set(
  "a an the this that these those my your his her its our their some any no every each another".split(
    " ",
  ),
);

const FUNCTION_WORDS = new Set(
  (
    "of in on at to for with by from into onto over under about above below between through during " +
    "before after against among within without upon toward towards than as and or but nor so yet if " +
    "because while although though when where whether which who whom whose what that i you he she " +
    "it we they me him us them is am are was were be been being do does did have has had will would " +
    "shall should can could may might must not"
  ).split(" "),
);

/** A word (letters, digits, marks, inner apostrophes or hyphens) or a run of other symbols. */
const PIECE = /\s*(?:[\p{L}\p{N}\p{M}]+(?:['’-][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]+)|\s+$/gu;

type Kind = "punctuation" | "function" | "determiner" | "content";

function kindOf(piece: string): Kind {
  const word = piece.trim().toLowerCase();
  if (!/[\p{L}\p{N}]/u.test(word)) return "punctuation";
  if (DETERMINERS.has(word)) return "determiner";
  if (FUNCTION_WORDS.has(word)) return "function";
  return "content";
}

/** [start, end) ranges of the phrases of `text`, in order, covering it exactly. */
export function phraseSpans(text: string): Span[] {
  const phrases: [number, number][] = [];
  let open: { words: number } | null = null;
  for (const match of text.matchAll(PIECE)) {
    const start = match.index;
    const end = start + match[0].length;
    const kind = kindOf(match[0]);
    const last = phrases.at(-1);
    if (
      last !== undefined &&
      kind === "content" &&
      open !== null &&
      open.words < MAX_PHRASE_WORDS
    ) {
      last[1] = end;
      open.words++;
      continue;
    }
    if (last !== undefined && kind === "punctuation" && match[0].trim() === "") {
      last[1] = end; // trailing whitespace
      continue;
    }
    phrases.push([start, end]);
    open = kind === "content" || kind === "determiner" ? { words: 1 } : null;
  }
  return phrases;
}
