import { CompressionInputError } from "../errors/index.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decodes a document read from a file, stdin or the store. Bytes that are not UTF-8 are binary
 * data (or another encoding), which is a bad-input error, never something to guess at.
 * Control characters are the compressor's schema's business.
 */
export function decodeDocumentBytes(bytes: Uint8Array, path: readonly PropertyKey[]): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw CompressionInputError.of(path, "is not UTF-8 text (binary data or another encoding)");
  }
}

/**
 * A UTF-16 code unit takes at most 3 UTF-8 bytes, so a blob longer than 3 × the character limit
 * is over it for sure: it can be refused before it is read into memory.
 */
export function maxUtf8BytesFor(maxChars: number): number {
  return 3 * maxChars;
}
