import { CompressionInputError } from "../errors/index.js";
import type { LlmlinguaFamilyOptions } from "./options.js";
import { parseContext } from "./prepared-context.js";
import type { CompressInput } from "./types.js";

/** Checks of options against the input that zod cannot make on either alone. */
export function validateLlmlinguaRequest(
  input: CompressInput,
  options: LlmlinguaFamilyOptions,
): void {
  const outOfRange = options.forceContextIds.filter((id) => id >= input.contexts.length);
  if (outOfRange.length > 0) {
    throw CompressionInputError.of(
      ["options", "forceContextIds"],
      `context ids ${outOfRange.join(", ")} are out of range: there are ${input.contexts.length} contexts`,
    );
  }
  input.contexts.forEach((context, index) => {
    parseContext(context, index, options.structuredTags);
  });
  if (options.method === "longllmlingua" && !input.question?.trim()) {
    throw CompressionInputError.of(
      ["input", "question"],
      "longllmlingua ranks and scores contexts against the question: a non-empty question is required",
    );
  }
}
