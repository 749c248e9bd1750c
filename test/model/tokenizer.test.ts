import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SCORER_MODEL } from "../../src/model/defaults.js";
import { HfTokenizer } from "../../src/model/tokenizer.js";
import type { TokenizedText } from "../../src/model/types.js";
import { writeSentencePieceTokenizer, writeWordPieceTokenizer } from "./fixtures/tokenizers.js";

const TRICKY = [
  "",
  "plain ascii text, with punctuation!",
  "Héllo wörld — café, naïve, façade, Ærø",
  "日本語のテキストと中文字符，混合 English words。",
  "emoji 😀 family 👨‍👩‍👧‍👦 flags 🇫🇷🇯🇵 skin 👍🏽 end",
  "combining: e\u0301 a\u0308 n\u0303 (decomposed) vs é ä ñ",
  "whitespace   runs\t\ttabs\n\n\nnewlines \r\n crlf   ",
  "   leading and trailing spaces   ",
  "\n",
  "digits 40297 3.14159 £40 ₹5 1,000,000",
  "<|endoftext|> special token text inside <|pad|>",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 and ancient 𓀀𓁐 signs",
  "😀😀😀😀😀😀😀😀",
  "x".repeat(3000),
];

/** No lone surrogate (String.prototype.isWellFormed, not in this project's ES2023 lib). */
function isWellFormed(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}

/** The `TokenizedText.spans` contract. */
function expectValidSpans(text: string, { ids, spans }: TokenizedText): void {
  expect(spans).toHaveLength(ids.length);
  if (ids.length === 0) return;
  expect(spans[0]?.[0]).toBe(0);
  expect(spans[spans.length - 1]?.[1]).toBe(text.length);
  spans.forEach(([start, end], i) => {
    expect(end).toBeGreaterThanOrEqual(start);
    if (i > 0) expect(start).toBe(spans[i - 1]?.[1]);
    for (const boundary of [start, end]) {
      const before = text.charCodeAt(boundary - 1);
      const after = text.charCodeAt(boundary);
      const splitsPair = before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
      expect(splitsPair, `boundary ${boundary} splits a surrogate pair`).toBe(false);
    }
  });
}

/** Keeps every other token's span (and a random pattern): the result is well-formed text. */
function expectKeptSpansWellFormed(text: string, tokenized: TokenizedText, seed: number): void {
  for (const keep of [(i: number) => i % 2 === 0, (i: number) => ((i * 7919 + seed) & 4) === 0]) {
    const kept = tokenized.spans
      .filter((_, i) => keep(i))
      .map(([start, end]) => text.slice(start, end))
      .join("");
    expect(isWellFormed(kept)).toBe(true);
    if (!text.includes("\ufffd")) expect(kept).not.toContain("\ufffd");
  }
}

const unicodeText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc
    .array(fc.constantFrom(...TRICKY.slice(0, 13), " ", "  ", "\n", "é", "😀", "日"), {
      maxLength: 12,
    })
    .map((parts) => parts.join("")),
);

function checkSpanProperty(
  tokenizer: HfTokenizer,
  numRuns: number,
  extra: (text: string, ids: number[]) => void = () => {},
): void {
  fc.assert(
    fc.property(unicodeText, fc.nat(), (text, seed) => {
      const tokenized = tokenizer.encodeWithSpans(text);
      expectValidSpans(text, tokenized);
      expectKeptSpansWellFormed(text, tokenized, seed);
      extra(text, tokenized.ids);
    }),
    { numRuns },
  );
}

describe("HfTokenizer (byte-level BPE: the embedded models' tokenizer)", () => {
  let tokenizer: HfTokenizer;
  beforeAll(async () => {
    tokenizer = await HfTokenizer.load({ id: "tiny", dir: DEFAULT_SCORER_MODEL, source: "local" });
  });

  it("loads from a relative folder that looks like a hub id, without the network", async () => {
    const relative = path.relative(process.cwd(), DEFAULT_SCORER_MODEL);
    expect(relative).toMatch(/^[\w.-]+\/[\w.-]+$/);
    const loaded = await HfTokenizer.load({ id: relative, dir: relative, source: "local" });
    expect(loaded.encode("a test")).toEqual(tokenizer.encode("a test"));
  });

  it("exposes vocabulary size and special ids from tokenizer.json", () => {
    expect(tokenizer.vocabSize).toBe(8192);
    expect(tokenizer.bosTokenId).toBe(0);
    expect(tokenizer.eosTokenId).toBe(0);
  });

  it("encodes without special tokens and round-trips through decode", () => {
    for (const text of TRICKY) {
      const ids = tokenizer.encode(text);
      // No BOS added: id 0 (<|endoftext|>) appears only where the text spells it.
      if (!text.startsWith("<|endoftext|>")) expect(ids[0]).not.toBe(0);
      expect(tokenizer.decode(ids)).toBe(text);
    }
  });

  it("gives contract-abiding spans on tricky strings, each the exact text of its token", () => {
    TRICKY.forEach((text, seed) => {
      const tokenized = tokenizer.encodeWithSpans(text);
      expect(tokenized.ids).toEqual(tokenizer.encode(text));
      expectValidSpans(text, tokenized);
      expectKeptSpansWellFormed(text, tokenized, seed);
      tokenized.ids.forEach((id, i) => {
        const own = tokenizer.decode([id]);
        const [start, end] = tokenized.spans[i] ?? [0, 0];
        // A token holding whole characters spans exactly them.
        if (!own.includes("\ufffd")) expect(text.slice(start, end)).toBe(own);
      });
    });
  });

  it("gives a multi-byte character to the token holding its first byte", () => {
    const text = "a😀b";
    const { ids, spans } = tokenizer.encodeWithSpans(text);
    const emojiTokens = ids.filter((id) => tokenizer.decode([id]).includes("\ufffd")).length;
    // The emoji is split into byte tokens: exactly one of them spans it, the others are empty.
    expect(emojiTokens).toBeGreaterThan(1);
    const covering = spans.filter(([start, end]) => text.slice(start, end).includes("😀"));
    expect(covering).toHaveLength(1);
    expect(covering[0]).toEqual([1, 3]);
    expect(spans.filter(([start, end]) => start === end)).toHaveLength(emojiTokens - 1);
  });

  it("keeps the span contract on arbitrary Unicode, and round-trips (property)", () => {
    checkSpanProperty(tokenizer, 300, (text, ids) => expect(tokenizer.decode(ids)).toBe(text));
  });
});

describe.each([
  ["SentencePiece BPE with byte fallback", writeSentencePieceTokenizer],
  ["WordPiece with lower-casing and accent stripping", writeWordPieceTokenizer],
])("HfTokenizer (%s)", (_name, write) => {
  let tokenizer: HfTokenizer;
  beforeAll(async () => {
    const dir = write();
    tokenizer = await HfTokenizer.load({ id: path.basename(dir), dir, source: "local" });
  });

  it("gives contract-abiding spans on tricky strings", () => {
    TRICKY.forEach((text, seed) => {
      const tokenized = tokenizer.encodeWithSpans(text);
      expectValidSpans(text, tokenized);
      expectKeptSpansWellFormed(text, tokenized, seed);
      // Only whitespace may vanish entirely (WordPiece drops it).
      if (tokenized.ids.length === 0) expect(text.trim()).toBe("");
    });
  });

  it("aligns words to where they are in the original text", () => {
    const text = "Héllo  wörld the café";
    const { ids, spans } = tokenizer.encodeWithSpans(text);
    const pieces = spans.map(([start, end]) => text.slice(start, end));
    expect(pieces.join("")).toBe(text);
    // Whatever the tokenizer's normalisation, "the" sits in a span of its own.
    const the = ids.findIndex((_, i) => pieces[i]?.trim() === "the");
    expect(the).toBeGreaterThan(0);
    expect(text.slice(...(spans[the] ?? [0, 0])).trim()).toBe("the");
  });

  it("keeps the span contract on arbitrary Unicode (property)", () => {
    checkSpanProperty(tokenizer, 200);
  });
});
