import type {
  CompressionResult,
  TextCompression,
  VectorCompression,
} from "../../src/compressors/types.js";
import { InternalInvariantError } from "../../src/errors/index.js";

/** The result as a text compression; throws (failing the test) when it holds vectors. */
export function asText(result: CompressionResult | undefined): TextCompression {
  if (result?.kind !== "text")
    throw new InternalInvariantError(`not a text result: ${result?.kind}`);
  return result;
}

/** The result as a vector compression; throws (failing the test) when it is text. */
export function asVectors(result: CompressionResult | undefined): VectorCompression {
  if (result?.kind !== "vectors") {
    throw new InternalInvariantError(`not a vector result: ${result?.kind}`);
  }
  return result;
}
