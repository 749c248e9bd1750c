import { describe, expect, it } from "vitest";
import { codePointOffsets } from "../../bench/llmlingua2/code-points.js";

// Python's view of each string: [len(s[:k]) for the code point before each UTF-16 offset].
describe("codePointOffsets (label spans in Python's code points)", () => {
  it("is the identity on text without surrogates", () => {
    expect([...codePointOffsets("héllo")]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("counts a surrogate pair as one code point, both halves at its index", () => {
    expect([...codePointOffsets("a😀b")]).toEqual([0, 1, 1, 2, 3]);
  });

  it("counts a lone surrogate, high or low, as a code point of its own", () => {
    expect([...codePointOffsets("a\ud800b")]).toEqual([0, 1, 2, 3]);
    expect([...codePointOffsets("a\udc00b")]).toEqual([0, 1, 2, 3]);
    expect([...codePointOffsets("\udc00\ud800")]).toEqual([0, 1, 2]);
  });
});
