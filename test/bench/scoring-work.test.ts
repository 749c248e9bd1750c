/**
 * scoringWork (bench/scorer/flops.ts), the work the throughput and variants benches divide by:
 * past the window each position is computed once through the cache, below it one window, and
 * with the cache stream off the overlapping windows re-encode positions.
 */
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { scoringWork } from "../../bench/scorer/flops.js";
import { CausalLm } from "../../src/model/causal-lm.js";
import { OnnxScorer } from "../../src/model/onnx-scorer.js";

const lm = await CausalLm.load(fileURLToPath(new URL("../../models/tiny-random", import.meta.url)));
afterAll(() => lm.dispose());
const tokens = (n: number) => Array.from({ length: n }, (_, i) => 10 + (i % 500));

describe("scoringWork", () => {
  it("counts cache steps and one position per token past the window", () => {
    const scorer = new OnnxScorer(lm);
    const stream = scorer.cacheStream;
    expect(stream).not.toBeNull();
    const length = 3 * scorer.settings.window;
    const work = scoringWork(scorer, lm.config, tokens(length));
    const bos = scorer.settings.bosTokenId === null ? 0 : 1;
    expect(work.windows).toBe(0);
    expect(work.positions).toBe(length + bos);
    expect(work.cacheSteps).toBe(Math.ceil((length + bos) / (stream?.chunk ?? 1)));
    expect(work.flops).toBeGreaterThan(0);
  });

  it("counts one window below the window size and overlapping windows without the stream", () => {
    const short = scoringWork(new OnnxScorer(lm), lm.config, tokens(100));
    expect(short).toMatchObject({ windows: 1, cacheSteps: 0 });
    const windowed = new OnnxScorer(lm, { cacheStream: false });
    const long = scoringWork(windowed, lm.config, tokens(3 * windowed.settings.window));
    expect(long.cacheSteps).toBe(0);
    expect(long.windows).toBeGreaterThan(3);
    expect(long.positions).toBeGreaterThan(3 * windowed.settings.window);
  });
});
