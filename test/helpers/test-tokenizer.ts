import type { Span, TokenizedText, Tokenizer } from "../../src/model/types.js";

/**
 * A small deterministic tokenizer for compressor tests: GPT-2-like pieces (a word or number with
 * an optional leading space, one punctuation mark with an optional leading space, whitespace
 * runs). In byte-level mode every non-ASCII character becomes one token per UTF-8 byte: the first
 * byte's token spans the character and the others get empty spans, as the `Tokenizer` contract
 * says, so tests can check that no character is ever cut in half.
 */

const PIECE = / ?[\p{L}\p{M}\p{N}]+| ?[^\s\p{L}\p{M}\p{N}]|\s+(?!\S)|\s+/gu;
const BYTE_TOKENS = 256;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export class TestTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize = 1 << 20;
  readonly bosTokenId = null;
  readonly eosTokenId = null;
  readonly #byteLevel: boolean;
  readonly #pieces = new Map<number, string>();

  constructor({ byteLevel = false }: { byteLevel?: boolean } = {}) {
    this.#byteLevel = byteLevel;
    this.name = byteLevel ? "test-bytes" : "test-words";
  }

  #pieceId(piece: string): number {
    const id = BYTE_TOKENS + (fnv1a(piece) % (this.vocabSize - BYTE_TOKENS));
    this.#pieces.set(id, piece);
    return id;
  }

  encode(text: string): number[] {
    return this.encodeWithSpans(text).ids;
  }

  encodeWithSpans(text: string): TokenizedText {
    const ids: number[] = [];
    const spans: Span[] = [];
    for (const match of text.matchAll(PIECE)) {
      const piece = match[0];
      if (!this.#byteLevel) {
        ids.push(this.#pieceId(piece));
        spans.push([match.index, match.index + piece.length]);
        continue;
      }
      let ascii = "";
      let asciiStart = match.index;
      let offset = match.index;
      const flushAscii = () => {
        if (ascii.length > 0) {
          ids.push(this.#pieceId(ascii));
          spans.push([asciiStart, asciiStart + ascii.length]);
        }
        ascii = "";
      };
      for (const char of piece) {
        if (char.charCodeAt(0) < 0x80) {
          if (ascii.length === 0) asciiStart = offset;
          ascii += char;
        } else {
          flushAscii();
          const bytes = new TextEncoder().encode(char);
          bytes.forEach((byte, index) => {
            ids.push(byte);
            spans.push(
              index === 0
                ? [offset, offset + char.length]
                : [offset + char.length, offset + char.length],
            );
          });
        }
        offset += char.length;
      }
      flushAscii();
    }
    return { ids, spans };
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      if (id < BYTE_TOKENS) bytes.push(id);
      else bytes.push(...new TextEncoder().encode(this.#pieces.get(id) ?? ""));
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}
