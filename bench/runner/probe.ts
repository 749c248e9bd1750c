import type { CompressOptionsInput } from "../../src/compressors/index.js";
import type { CompressInput, CompressionResult } from "../../src/compressors/types.js";
import { CompressionInputError } from "../../src/errors/index.js";
import type { CompressionBackend } from "./backend.js";
import { METHOD_OPTIONS } from "./cell.js";
import { describeError, isModelUnavailableError } from "./failures.js";
import type { Reader } from "./reader.js";
import { textOnlyReason } from "./vector-cell.js";

/**
 * A cheap compression of a short sample per method, before the run. A method is n/a for the run
 * when its models cannot load, when it refuses a plain question-and-context request (a missing
 * model role: "landmark needs an embedder"), or when it writes vectors this reader cannot read.
 * Returns the reason, or null when the method can run.
 */
export async function probeMethod(
  method: string,
  input: CompressInput,
  backend: CompressionBackend,
  reader: Reader,
): Promise<string | null> {
  let result: CompressionResult;
  try {
    result = await backend.compress(input, {
      method,
      ...METHOD_OPTIONS[method],
      rate: 0.5,
    } as CompressOptionsInput);
  } catch (error) {
    if (isModelUnavailableError(error) || error instanceof CompressionInputError) {
      return describeError(error);
    }
    // Any other failure is not a verdict on the method: its cells run and record their errors.
    return null;
  }
  return result.kind === "vectors" && reader.answerFromVectors === undefined
    ? textOnlyReason(reader)
    : null;
}
