import { CompressionInputError } from "../../errors/index.js";
import { parseCompressInput } from "../registry.js";
import type { InputLimits } from "../types.js";

/**
 * Checks a document before it is indexed, as compression checks its contexts (valid text, within
 * the size limit), and refuses an empty one: it would have no blocks. Throws a
 * `CompressionInputError` whose paths start with `path`.
 */
export function validateIndexDocument(
  text: string,
  limits: Partial<InputLimits> = {},
  path: readonly PropertyKey[] = ["document"],
): void {
  if (text.trim() === "") {
    throw CompressionInputError.of(path, "the document is empty: there is nothing to index");
  }
  try {
    parseCompressInput({ contexts: [text] }, limits);
  } catch (error) {
    if (!(error instanceof CompressionInputError)) throw error;
    throw new CompressionInputError(
      error.issues.map((issue) => ({ ...issue, path: [...path, ...issue.path.slice(3)] })),
    );
  }
}
