/**
 * What text each token stands for, read from its vocabulary string. transformers.js returns no
 * offsets, so spans are derived from these surfaces (see span-alignment.ts). The conventions
 * come from the tokenizer.json `decoder`:
 * - ByteLevel (GPT-2, Llama-3, our BPE): every character of a token string encodes one byte
 *   through GPT-2's printable byte alphabet; tokens may hold part of a multi-byte character.
 * - Metaspace / Replace("▁" → " ") (SentencePiece, Llama-2): "▁" is a space; ByteFallback
 *   tokens `<0xNN>` are single bytes.
 * - WordPiece (BERT): "##" marks a continuation (the text is normalised; alignment is fuzzy).
 * Added tokens (special tokens) always stand for their literal content.
 */

type DecoderJson = { type?: string; [key: string]: unknown } | null | undefined;

export interface SurfaceConvention {
  readonly byteLevel: boolean;
  /** The Metaspace replacement character ("▁"), when spaces are encoded that way. */
  readonly spaceMarker: string | null;
  readonly byteFallback: boolean;
  /** WordPiece continuation prefix ("##"). */
  readonly continuationPrefix: string | null;
  /** BPE end-of-word suffix (e.g. "</w>"), stripped. */
  readonly wordSuffix: string | null;
}

function decoderParts(decoder: DecoderJson): DecoderJson[] {
  if (!decoder) return [];
  if (decoder.type === "Sequence" && Array.isArray(decoder.decoders)) {
    return (decoder.decoders as DecoderJson[]).flatMap(decoderParts);
  }
  return [decoder];
}

function stringField(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** Reads the surface convention from a parsed tokenizer.json. */
export function surfaceConvention(tokenizerJson: {
  decoder?: unknown;
  model?: unknown;
}): SurfaceConvention {
  const parts = decoderParts(tokenizerJson.decoder as DecoderJson);
  const model = (tokenizerJson.model ?? {}) as Record<string, unknown>;
  let spaceMarker: string | null = null;
  let continuationPrefix: string | null = null;
  let wordSuffix: string | null = null;
  for (const part of parts) {
    if (!part) continue;
    if (part.type === "Metaspace") spaceMarker = stringField(part.replacement) ?? "▁";
    if (part.type === "Replace" && part.content === " ") {
      const pattern = part.pattern as { String?: unknown } | undefined;
      spaceMarker = stringField(pattern?.String) ?? spaceMarker;
    }
    if (part.type === "WordPiece") continuationPrefix = stringField(part.prefix) ?? "##";
    if (part.type === "BPEDecoder") wordSuffix = stringField(part.suffix) ?? "</w>";
  }
  return {
    byteLevel: parts.some((p) => p?.type === "ByteLevel"),
    spaceMarker,
    byteFallback: parts.some((p) => p?.type === "ByteFallback") || model.byte_fallback === true,
    continuationPrefix,
    wordSuffix,
  };
}

/** GPT-2's byte ↔ printable-character table: printable Latin-1 maps to itself, the rest above 255. */
function byteLevelDecodeTable(): Map<number, number> {
  const table = new Map<number, number>();
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    table.set(printable(b) ? b : next++, b);
  }
  return table;
}

const BYTE_LEVEL_TABLE = byteLevelDecodeTable();
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const utf8 = new TextEncoder();

/**
 * Turns a vocabulary string into the bytes of text it stands for, under a convention.
 * `literal` marks added tokens, whose content is the text itself.
 */
export function tokenBytes(
  token: string,
  convention: SurfaceConvention,
  literal: boolean,
): Uint8Array {
  if (literal) return utf8.encode(token);
  if (convention.byteLevel) {
    const bytes = new Uint8Array(token.length);
    let n = 0;
    for (const char of token) {
      const code = char.codePointAt(0) ?? 0;
      const byte = BYTE_LEVEL_TABLE.get(code);
      if (byte === undefined) return utf8.encode(token); // not a byte-level token after all
      bytes[n++] = byte;
    }
    return bytes.subarray(0, n);
  }
  if (convention.byteFallback) {
    const match = BYTE_TOKEN.exec(token);
    if (match?.[1]) return Uint8Array.of(Number.parseInt(match[1], 16));
  }
  let text = token;
  if (convention.continuationPrefix && text.startsWith(convention.continuationPrefix)) {
    text = text.slice(convention.continuationPrefix.length);
  }
  if (convention.wordSuffix && text.endsWith(convention.wordSuffix)) {
    text = text.slice(0, -convention.wordSuffix.length);
  }
  if (convention.spaceMarker) text = text.replaceAll(convention.spaceMarker, " ");
  return utf8.encode(text);
}

/**
 * Splits the concatenated bytes of all tokens into per-token text: each complete UTF-8 character
 * belongs to the token holding its first byte, so a token holding only the tail of a character
 * gets "". Invalid bytes become U+FFFD (they then match nothing and are aligned as a mismatch).
 */
export function tokenTexts(bytesPerToken: readonly Uint8Array[]): string[] {
  let total = 0;
  for (const bytes of bytesPerToken) total += bytes.length;
  const all = new Uint8Array(total);
  const owner = new Int32Array(total);
  let at = 0;
  bytesPerToken.forEach((bytes, k) => {
    all.set(bytes, at);
    owner.fill(k, at, at + bytes.length);
    at += bytes.length;
  });
  const pieces: string[][] = bytesPerToken.map(() => []);
  let i = 0;
  while (i < total) {
    const lead = all[i] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    let code = -1;
    if (length === 1) code = lead;
    else if (length > 1 && i + length <= total) {
      code = lead & (0xff >> (length + 1));
      for (let j = 1; j < length; j++) {
        const next = all[i + j] ?? 0;
        if ((next & 0xc0) !== 0x80) {
          code = -1;
          break;
        }
        code = (code << 6) | (next & 0x3f);
      }
    }
    const ownerToken = owner[i] ?? 0;
    if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      pieces[ownerToken]?.push("\ufffd");
      i += 1;
    } else {
      pieces[ownerToken]?.push(String.fromCodePoint(code));
      i += length;
    }
  }
  return pieces.map((p) => p.join(""));
}
