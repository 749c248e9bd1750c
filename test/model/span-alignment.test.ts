import { describe, expect, it } from "vitest";
import { alignSpans } from "../../src/model/span-alignment.js";
import { surfaceConvention, tokenBytes, tokenTexts } from "../../src/model/token-surface.js";

const pieces = (text: string, spans: readonly (readonly [number, number])[]) =>
  spans.map(([start, end]) => text.slice(start, end));

describe("tokenTexts", () => {
  it("gives each UTF-8 character to the token holding its first byte", () => {
    const utf8 = new TextEncoder();
    const emoji = utf8.encode("😀"); // 4 bytes, split 1 + 2 + 1 over three tokens
    const texts = tokenTexts([
      utf8.encode("a"),
      emoji.slice(0, 1),
      emoji.slice(1, 3),
      Uint8Array.of(emoji[3] as number, 0x62),
    ]);
    expect(texts).toEqual(["a", "😀", "", "b"]);
    expect(tokenTexts([Uint8Array.of(0xff, 0x41)])).toEqual(["\ufffdA"]);
  });
});

describe("token surfaces", () => {
  it("reads byte-level, Metaspace with byte fallback, and WordPiece conventions", () => {
    const byteLevel = surfaceConvention({ decoder: { type: "ByteLevel" } });
    expect(new TextDecoder().decode(tokenBytes("ĠcafÃ©", byteLevel, false))).toBe(" café");
    const spm = surfaceConvention({
      decoder: {
        type: "Sequence",
        decoders: [
          { type: "Replace", pattern: { String: "▁" }, content: " " },
          { type: "ByteFallback" },
        ],
      },
    });
    expect(tokenBytes("<0xE6>", spm, false)).toEqual(Uint8Array.of(0xe6));
    expect(new TextDecoder().decode(tokenBytes("▁the", spm, false))).toBe(" the");
    const wordPiece = surfaceConvention({ decoder: { type: "WordPiece", prefix: "##" } });
    expect(new TextDecoder().decode(tokenBytes("##ing", wordPiece, false))).toBe("ing");
    // Added tokens stand for their literal text in every convention.
    expect(new TextDecoder().decode(tokenBytes("<|endoftext|>", byteLevel, true))).toBe(
      "<|endoftext|>",
    );
  });
});

describe("alignSpans", () => {
  it("uses running lengths when the token texts rebuild the text", () => {
    expect(alignSpans("ab cd", ["ab", " c", "d"])).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(alignSpans("", [])).toEqual([]);
  });

  it("skips a prepended space and gives dropped whitespace to the next token", () => {
    const text = "Héllo  WORLD\n";
    const spans = alignSpans(text, [" hello", "world"]);
    expect(pieces(text, spans)).toEqual(["Héllo", "  WORLD\n"]);
  });

  it("lets an unknown token take a word, up to where the next token matches", () => {
    const text = "a 😀🎉 b";
    const spans = alignSpans(text, ["a", "[UNK]", "b"], [false, true, false]);
    expect(pieces(text, spans)).toEqual(["a", " 😀🎉", " b"]);
  });

  it("resynchronises after text it cannot match, keeping the contract", () => {
    const text = "one ⅔ two three";
    const spans = alignSpans(text, ["one", "zz", "two", "three"]);
    expect(pieces(text, spans).join("")).toBe(text);
    expect(pieces(text, spans)[0]).toBe("one");
    expect(pieces(text, spans)[3]).toBe(" three");
  });
});
