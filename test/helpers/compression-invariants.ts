import { expect } from "vitest";
import {
  assemblePrompt,
  type CompressRequestInput,
  parseStructuredContext,
  type TextCompression,
} from "../../src/compressors/index.js";
import { findNonTextCharacter } from "../../src/compressors/text-validation.js";
import type { Tokenizer } from "../../src/model/types.js";

/**
 * What every compression result must satisfy, whatever the scorer: counts equal a re-count with
 * the scorer's tokenizer, the prompt is valid text, and each kept context is exactly the
 * original text of its kept spans — ordered, in range, never inside a surrogate pair.
 */
export function expectCompressionInvariants(
  result: TextCompression,
  input: CompressRequestInput,
  tokenizer: Tokenizer,
): void {
  const plain = input.contexts.map(
    (context) => parseStructuredContext(typeof context === "string" ? context : "").text,
  );
  const { counts } = result.stats;
  expect(counts.originalTokens).toBe(
    tokenizer.encode(assemblePrompt({ ...input, contexts: plain })).length,
  );
  expect(counts.compressedTokens).toBe(tokenizer.encode(result.prompt).length);
  expect(counts.rate).toBeCloseTo(counts.compressedTokens / counts.originalTokens, 12);
  expect(findNonTextCharacter(result.prompt)).toBeNull();
  expect(result.prompt).not.toContain("\ufffd");
  for (const context of result.contexts) {
    const source = plain[context.index] ?? "";
    expect(context.originalTokens).toBe(tokenizer.encode(source).length);
    expect(context.compressedTokens).toBe(tokenizer.encode(context.text).length);
    let previousEnd = 0;
    for (const [start, end] of context.keptSpans) {
      expect(start).toBeGreaterThanOrEqual(previousEnd);
      expect(end).toBeGreaterThan(start);
      expect(end).toBeLessThanOrEqual(source.length);
      for (const edge of [start, end]) {
        const code = source.charCodeAt(edge);
        expect(code >= 0xdc00 && code <= 0xdfff, `span edge ${edge} splits a surrogate pair`).toBe(
          false,
        );
      }
      previousEnd = end;
    }
    expect(context.keptSpans.map(([start, end]) => source.slice(start, end)).join("")).toBe(
      context.text,
    );
  }
}
