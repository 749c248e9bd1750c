import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PlanUnit, TokenLevelPlan } from "../../src/compressors/token-level-plan.js";

/** Drives a plan with fixed per-unit scores (NaN where given), as a scorer would. */
function run(plan: TokenLevelPlan, unitScores: readonly number[]): boolean[] {
  for (const window of plan.windows()) {
    const tokenScores: number[] = [];
    for (let index = window.from; index < window.to; index++) {
      const size = plan.units[index]?.ids.length ?? 0;
      for (let token = 0; token < size; token++) tokenScores.push(unitScores[index] ?? 0);
    }
    plan.decide(window, tokenScores);
  }
  return [...plan.kept];
}

function keptTokens(units: readonly PlanUnit[], kept: readonly boolean[]): number {
  return units.reduce((sum, unit, index) => sum + (kept[index] ? unit.ids.length : 0), 0);
}

interface Shape {
  readonly sizes: number[];
  readonly forced: boolean[];
  readonly scores: number[];
  readonly contexts: number[];
}

/** `count` units of 1–3 tokens in up to four contexts, about 3% of them forced. */
const shapeArbitrary = (minUnits: number, maxUnits: number) =>
  fc.integer({ min: minUnits, max: maxUnits }).chain((count) => {
    const perUnit = <T>(arbitrary: fc.Arbitrary<T>) =>
      fc.array(arbitrary, { minLength: count, maxLength: count });
    return fc.record({
      sizes: perUnit(fc.constantFrom(1, 1, 1, 1, 2, 3)),
      forced: perUnit(fc.noBias(fc.integer({ min: 0, max: 99 })).map((x) => x < 3)),
      scores: perUnit(fc.noBias(fc.double({ min: -5, max: 15, noNaN: true }))),
      contexts: perUnit(fc.integer({ min: 0, max: 3 })),
    });
  });

function unitsOf(shape: Shape, deltas: readonly number[] = [0, 0, 0, 0]): PlanUnit[] {
  // Context ids must be non-decreasing in prompt order: sort them.
  const contexts = [...shape.contexts].sort((a, b) => a - b);
  return shape.sizes.map((size, index) => ({
    ids: Array.from({ length: size }, (_, token) => index * 4 + token),
    group: contexts[index] ?? 0,
    forced: shape.forced[index] ?? false,
    explicitRate: null,
    delta: deltas[contexts[index] ?? 0] ?? 0,
  }));
}

/** `count` single-token units; `settings` may vary them by index. */
function tokens(
  count: number,
  settings: (index: number) => Partial<PlanUnit> = () => ({}),
): PlanUnit[] {
  return Array.from({ length: count }, (_, index) => ({
    ids: [index],
    group: 0,
    forced: false,
    explicitRate: null,
    delta: 0,
    ...settings(index),
  }));
}

describe("TokenLevelPlan", () => {
  it("keeps within ±10% of the requested tokens for prompts of 500+ tokens, at any rate", () => {
    fc.assert(
      fc.property(
        shapeArbitrary(500, 2500),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 8, max: 400 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (shape, rate, iterativeSize, delta) => {
          const units = unitsOf(shape, [delta, delta / 3, -delta / 3, -delta]);
          const total = units.reduce((sum, unit) => sum + unit.ids.length, 0);
          const forced = keptTokens(
            units,
            units.map((unit) => unit.forced),
          );
          const requested = Math.round(rate * total);
          fc.pre(forced <= requested * 0.5);
          const kept = keptTokens(
            units,
            run(new TokenLevelPlan(units, requested, iterativeSize), shape.scores),
          );
          expect(Math.abs(kept - requested)).toBeLessThanOrEqual(0.1 * requested);
        },
      ),
      { numRuns: 80 },
    );
  });

  /** Two rates and a segment size: the property runs at the lower and the higher rate. */
  const twoRates = fc.tuple(
    shapeArbitrary(20, 1200),
    fc.double({ min: 0.01, max: 1, noNaN: true }),
    fc.double({ min: 0.01, max: 1, noNaN: true }),
    fc.integer({ min: 4, max: 300 }),
  );

  function keptAtBothRates(
    units: PlanUnit[],
    [shape, a, b, iterativeSize]: [Shape, number, number, number],
  ): [boolean[], boolean[]] {
    const total = units.reduce((sum, unit) => sum + unit.ids.length, 0);
    const keptAt = (rate: number) =>
      run(new TokenLevelPlan(units, Math.round(rate * total), iterativeSize), shape.scores);
    return [keptAt(Math.min(a, b)), keptAt(Math.max(a, b))];
  }

  it("never keeps more at a lower rate; single-token units even keep a subset", () => {
    fc.assert(
      fc.property(twoRates, (args) => {
        const units = unitsOf({ ...args[0], sizes: args[0].sizes.map(() => 1) });
        const [keptLow, keptHigh] = keptAtBothRates(units, args);
        keptLow.forEach((flag, index) => {
          if (flag) expect(keptHigh[index]).toBe(true);
        });
      }),
      { numRuns: 80 },
    );
  });

  it("with multi-token units (split characters) a lower rate keeps at most part of one unit more", () => {
    fc.assert(
      fc.property(twoRates, (args) => {
        const units = unitsOf(args[0], [0.3, 0.1, -0.1, -0.3]);
        const [keptLow, keptHigh] = keptAtBothRates(units, args);
        // Units hold at most 3 tokens; whole units cannot always meet a quota exactly.
        expect(keptTokens(units, keptLow)).toBeLessThanOrEqual(keptTokens(units, keptHigh) + 2);
      }),
      { numRuns: 80 },
    );
  });

  it("always keeps forced units and unscorable (NaN) units", () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 600),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (shape, rate) => {
          const units = unitsOf(shape);
          const scores = shape.scores.map((score, index) =>
            index % 97 === 0 ? Number.NaN : score,
          );
          const total = units.reduce((sum, unit) => sum + unit.ids.length, 0);
          const kept = run(new TokenLevelPlan(units, Math.round(rate * total), 200), scores);
          units.forEach((unit, index) => {
            if (unit.forced || Number.isNaN(scores[index])) expect(kept[index]).toBe(true);
          });
        },
      ),
    );
  });

  it("compresses a prompt shorter than one window (reference issue #196)", () => {
    const units = tokens(50);
    const scores = units.map((_, index) => (index * 37) % 11);
    const kept = run(new TokenLevelPlan(units, 20, 200), scores);
    expect(keptTokens(units, kept)).toBe(20);
    // The 20 kept are the best-scoring ones.
    const threshold = [...scores].sort((a, b) => b - a)[19] ?? 0;
    kept.forEach((flag, index) => {
      if (flag) expect(scores[index]).toBeGreaterThanOrEqual(threshold);
    });
  });

  it("keeps the highest-scoring units of each window (scores are the unit's own, no shift)", () => {
    const units = tokens(10);
    const scores = [0, 9, 0, 8, 0, 7, 0, 0, 0, 0];
    const kept = run(new TokenLevelPlan(units, 3, 200), scores);
    expect(kept).toEqual([false, true, false, true, false, true, false, false, false, false]);
  });

  it("honours explicit segment rates and lets untagged text absorb the rest of the budget", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 900, maxLength: 900 }),
        fc.double({ min: 0.1, max: 0.9, noNaN: true }),
        fc.double({ min: 0.3, max: 0.7, noNaN: true }),
        (scores, segmentRate, rate) => {
          // 300 untagged tokens, 300 at segmentRate, 300 verbatim.
          const units = tokens(900, (index) => ({
            group: Math.floor(index / 300),
            forced: index >= 600,
            explicitRate: index >= 300 && index < 600 ? segmentRate : null,
          }));
          const requested = Math.round(rate * 900);
          const needed = 300 + segmentRate * 300;
          fc.pre(requested >= needed && requested <= needed + 300);
          const kept = run(new TokenLevelPlan(units, requested, 200), scores);
          const inSegment = kept.slice(300, 600).filter(Boolean).length;
          expect(Math.abs(inSegment - segmentRate * 300)).toBeLessThanOrEqual(0.05 * 300);
          expect(kept.slice(600).every(Boolean)).toBe(true);
          expect(Math.abs(keptTokens(units, kept) - requested)).toBeLessThanOrEqual(
            0.02 * requested + 2,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("gives better-ranked contexts (positive delta) a larger share", () => {
    const units = tokens(1000, (index) => ({
      group: index < 500 ? 0 : 1,
      delta: index < 500 ? 0.2 : -0.2,
    }));
    const scores = units.map((_, index) => (index * 7919) % 101);
    const kept = run(new TokenLevelPlan(units, 400, 200), scores);
    const first = kept.slice(0, 500).filter(Boolean).length;
    const second = kept.slice(500).filter(Boolean).length;
    // τ = 0.4: 0.6 and 0.2 of 500 tokens.
    expect(first).toBeGreaterThanOrEqual(290);
    expect(first).toBeLessThanOrEqual(310);
    expect(second).toBeGreaterThanOrEqual(90);
    expect(second).toBeLessThanOrEqual(110);
  });

  it("rebalance drops the lowest-scoring kept units, or restores the best dropped ones", () => {
    const units = tokens(10, (index) => ({ forced: index === 0 }));
    const scores = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const plan = new TokenLevelPlan(units, 6, 200);
    run(plan, scores);
    expect(plan.kept).toEqual([true, false, false, false, false, true, true, true, true, true]);
    plan.rebalance(2);
    expect(plan.kept).toEqual([true, false, false, false, false, false, false, true, true, true]);
    plan.rebalance(-3);
    expect(plan.kept).toEqual([true, false, false, false, true, true, true, true, true, true]);
  });

  it("rejects scores that do not match the window", () => {
    const plan = new TokenLevelPlan(
      [{ ids: [1, 2], group: 0, forced: false, explicitRate: null, delta: 0 }],
      1,
      200,
    );
    const [window] = [...plan.windows()];
    expect(() => window && plan.decide(window, [1])).toThrow(/expected 2 scores/);
  });
});
