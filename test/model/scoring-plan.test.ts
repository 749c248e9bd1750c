import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ModelConfigError } from "../../src/errors/index.js";
import { planWindows, type WindowSettings } from "../../src/model/scoring-plan.js";
import { StreamContext } from "../../src/model/stream-context.js";

const settings = fc
  .record({
    window: fc.integer({ min: 3, max: 64 }),
    bos: fc.boolean(),
    overlapFraction: fc.double({ min: 0, max: 0.99, noNaN: true }),
  })
  .map(({ window, bos, overlapFraction }): WindowSettings => {
    const usable = window - (bos ? 1 : 0);
    return {
      window,
      bosTokenId: bos ? 0 : null,
      overlap: Math.floor(overlapFraction * (usable - 1)),
    };
  });

const item = fc.record({
  condition: fc.array(fc.integer({ min: 1, max: 99 }), { maxLength: 150 }),
  tokens: fc.array(fc.integer({ min: 1, max: 99 }), { maxLength: 200 }),
});

describe("planWindows", () => {
  it("scores every token exactly once, in windows that fit, with its true preceding context", () => {
    fc.assert(
      fc.property(settings, fc.array(item, { maxLength: 4 }), (s, items) => {
        const windows = planWindows(items, s);
        const bos = s.bosTokenId === null ? 0 : 1;
        items.forEach((it, index) => {
          const sequence = [...it.condition, ...it.tokens];
          const covered = new Array<number>(it.tokens.length).fill(0);
          for (const w of windows.filter((w) => w.item === index)) {
            expect(w.input.length).toBeLessThanOrEqual(s.window);
            if (bos) expect(w.input[0]).toBe(s.bosTokenId);
            const body = w.input.slice(bos);
            const scored = w.input.length - w.scoreFrom;
            const start = it.condition.length + w.resultOffset;
            // The window is a contiguous slice of the sequence ending at the last scored token.
            const contextStart = start - (w.scoreFrom - bos);
            expect(body).toEqual(sequence.slice(contextStart, start + scored));
            // Every scored token sees at least `overlap` tokens before it (or all there are).
            expect(start - contextStart).toBeGreaterThanOrEqual(Math.min(s.overlap, start));
            for (let k = 0; k < scored; k++)
              covered[w.resultOffset + k] = (covered[w.resultOffset + k] ?? 0) + 1;
          }
          expect(covered.every((c) => c === 1)).toBe(true);
        });
      }),
      { numRuns: 400 },
    );
  });

  it("uses a single window whenever the sequence fits", () => {
    const windows = planWindows([{ condition: [5, 6], tokens: [7, 8, 9] }], {
      window: 6,
      overlap: 1,
      bosTokenId: 0,
    });
    expect(windows).toEqual([
      { item: 0, input: [0, 5, 6, 7, 8, 9], scoreFrom: 3, resultOffset: 0 },
    ]);
  });

  it("fills the first window with as much of a long condition as fits", () => {
    const condition = Array.from({ length: 20 }, (_, i) => 100 + i);
    const windows = planWindows([{ condition, tokens: [1, 2, 3] }], {
      window: 10,
      overlap: 2,
      bosTokenId: null,
    });
    expect(windows).toEqual([
      { item: 0, input: [...condition.slice(13), 1, 2, 3], scoreFrom: 7, resultOffset: 0 },
    ]);
  });

  it("rejects an overlap that leaves no room to advance", () => {
    expect(() => planWindows([], { window: 8, overlap: 7, bosTokenId: 0 })).toThrow(
      ModelConfigError,
    );
    expect(() => planWindows([], { window: 1, overlap: 0, bosTokenId: 0 })).toThrow(
      ModelConfigError,
    );
  });
});

describe("StreamContext", () => {
  const window: WindowSettings = { window: 9, overlap: 1, bosTokenId: 0 };

  it("pins the condition, keeps committed tokens while segments fit, then cuts them to `overlap`", () => {
    const context = new StreamContext([1, 2], window);
    expect(context.pinnedLength).toBe(3);
    expect(context.begin([3, 4, 5])).toBe("kept");
    context.commit([true, false, true]);
    expect(context.modelTokens()).toEqual([0, 1, 2, 3, 5]);
    // 2 condition + 2 committed + 5 segment tokens exceed the 8 usable positions (9 minus BOS).
    expect(context.begin([6, 7, 8, 9, 10])).toBe("cut");
    expect(context.committed).toEqual([1, 2, 5]);
    context.commit([true, true, true, true, true]);
    expect(context.committed).toEqual([1, 2, 5, 6, 7, 8, 9, 10]);
    expect(context.begin([11, 12, 13, 14, 15, 16, 17])).toBe("too-long");
    expect(context.committed).toEqual([1, 2, 10]);
  });

  it("rejects misuse with clear errors", () => {
    const context = new StreamContext([], window);
    expect(() => context.commit([])).toThrow(/before score/);
    context.begin([1, 2]);
    expect(() => context.begin([3])).toThrow(/twice/);
    expect(() => context.commit([true])).toThrow(/1 flags for a 2-token segment/);
  });
});
