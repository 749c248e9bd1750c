import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseStructuredContext,
  renderStructuredContext,
  type StructuredSegment,
} from "../../src/compressors/structured-prompt.js";

describe("parseStructuredContext", () => {
  it("reads rate and compress tags, keeping untagged text around them", () => {
    const parsed = parseStructuredContext(
      "Intro. <llmlingua, rate=0.4>Squeeze this.</llmlingua> Middle <llmlingua, compress=False>Keep me</llmlingua>",
    );
    expect(parsed.text).toBe("Intro. Squeeze this. Middle Keep me");
    expect(parsed.segments).toEqual([
      { start: 0, end: 7, rate: null, compress: true },
      { start: 7, end: 20, rate: 0.4, compress: true },
      { start: 20, end: 28, rate: null, compress: true },
      { start: 28, end: 35, rate: null, compress: false },
    ]);
  });

  it("accepts attributes in any order and case, and bare tags", () => {
    const parsed = parseStructuredContext(
      "<llmlingua ,compress = true , rate = 0.25>a</llmlingua><llmlingua>b</llmlingua><llmlingua, compress=false>c</llmlingua>",
    );
    expect(parsed.segments.map(({ rate, compress }) => ({ rate, compress }))).toEqual([
      { rate: 0.25, compress: true },
      { rate: null, compress: true },
      { rate: null, compress: false },
    ]);
  });

  it("treats text without tags as one untagged segment, and '<' as text", () => {
    expect(parseStructuredContext("a < b <llmlinguas> c")).toEqual({
      text: "a < b <llmlinguas> c",
      segments: [{ start: 0, end: 20, rate: null, compress: true }],
    });
    expect(parseStructuredContext("")).toEqual({ text: "", segments: [] });
  });

  it.each([
    ["<llmlingua, rate=0.4>never closed", /never closed/],
    ["stray </llmlingua>", /without an opening tag/],
    ["<llmlingua><llmlingua>x</llmlingua></llmlingua>", /nested/],
    ["<llmlingua, rate=1.5>x</llmlingua>", /rate must be/],
    ["<llmlingua, rate=0>x</llmlingua>", /rate must be/],
    ["<llmlingua, compress=maybe>x</llmlingua>", /compress must be/],
    ["<llmlingua, ratio=0.3>x</llmlingua>", /malformed attribute/],
    ["<llmlingua rate=0.3>x</llmlingua>", /malformed tag/],
  ])("rejects %s", (source, message) => {
    expect(() => parseStructuredContext(source)).toThrow(message);
  });
});

describe("renderStructuredContext", () => {
  const segmentArbitrary: fc.Arbitrary<StructuredSegment> = fc.record(
    {
      text: fc
        .string({ unit: "grapheme", maxLength: 30 })
        .filter((text) => !text.includes("<llmlingua") && !text.includes("</llmlingua>")),
      rate: fc.double({ min: 0.01, max: 1, noNaN: true }),
      compress: fc.boolean(),
    },
    { requiredKeys: ["text"] },
  );

  it("round-trips through the parser: same text, same settings per non-empty segment", () => {
    fc.assert(
      fc.property(fc.array(segmentArbitrary, { minLength: 1, maxLength: 8 }), (segments) => {
        const parsed = parseStructuredContext(renderStructuredContext(segments));
        expect(parsed.text).toBe(segments.map((segment) => segment.text).join(""));
        const nonEmpty = segments.filter((segment) => segment.text.length > 0);
        expect(parsed.segments).toHaveLength(nonEmpty.length);
        parsed.segments.forEach((segment, index) => {
          const source = nonEmpty[index];
          expect(parsed.text.slice(segment.start, segment.end)).toBe(source?.text);
          expect(segment.rate).toBe(source?.rate ?? null);
          expect(segment.compress).toBe(source?.compress ?? true);
        });
      }),
    );
  });

  it("refuses segment text that holds tags", () => {
    expect(() => renderStructuredContext([{ text: "x </llmlingua> y" }])).toThrow(
      /must not contain/,
    );
  });
});
