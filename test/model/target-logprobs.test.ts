import { Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { argmax, lastLogitsRow, rowValues, sample } from "../../src/model/logits.js";
import { createSession } from "../../src/model/session.js";
import { targetLogProbModel } from "../../src/model/target-logprob-graph.js";

function jsLogSoftmaxAt(row: ArrayLike<number>, target: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i] as number);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp((row[i] as number) - max);
  return (row[target] as number) - max - Math.log(sum);
}

/** float32 → IEEE half bits (round to nearest), enough for test data in the normal range. */
function toHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign;
  return sign | (exponent << 10) | Math.round(mantissa / 8192);
}

describe("target log-prob graph", () => {
  const batch = 2;
  const rows = 5;
  const vocab = 3001;
  const values = Float32Array.from(
    { length: batch * rows * vocab },
    (_, i) => Math.sin(i * 12.9898) * 9,
  );
  const targets = Array.from({ length: batch * rows }, (_, i) => (i * 977) % vocab);
  const indices = new Tensor("int64", BigInt64Array.from(targets, BigInt), [batch, rows, 1]);

  it("equals a log-softmax at the target, per row (float32 logits)", async () => {
    const { session } = await createSession(targetLogProbModel("float32"));
    const out = await session.run({
      logits: new Tensor("float32", values, [batch, rows, vocab]),
      targets: indices,
    });
    const logprobs = out.logprobs as Tensor;
    expect(logprobs.dims).toEqual([batch, rows, 1]);
    targets.forEach((target, r) => {
      const expected = jsLogSoftmaxAt(values.subarray(r * vocab, (r + 1) * vocab), target);
      expect((logprobs.data as Float32Array)[r]).toBeCloseTo(expected, 4);
    });
    await session.release();
  });

  it("casts float16 logits (fp16 models) before the log-softmax", async () => {
    const half = Uint16Array.from(values, toHalf);
    const { session } = await createSession(targetLogProbModel("float16"));
    const out = await session.run({
      logits: new Tensor("float16", half, [batch, rows, vocab]),
      targets: indices,
    });
    const rowsAsFloat = rowValues(new Tensor("float16", half, [1, 1, half.length]));
    targets.forEach((target, r) => {
      const expected = jsLogSoftmaxAt(rowsAsFloat.subarray(r * vocab, (r + 1) * vocab), target);
      expect(((out.logprobs as Tensor).data as Float32Array)[r]).toBeCloseTo(expected, 3);
    });
    await session.release();
  });
});

describe("logits rows", () => {
  it("decodes IEEE half floats", () => {
    const bits = Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x0000, 0x3555);
    const values = rowValues(new Tensor("float16", bits, [1, 1, bits.length]));
    expect(Array.from(values.slice(0, 6))).toEqual([
      1,
      -2,
      65504,
      2 ** -24,
      Number.POSITIVE_INFINITY,
      0,
    ]);
    expect(values[6]).toBeCloseTo(1 / 3, 3);
  });

  it("copies the last row, picks the argmax, and samples by temperature", () => {
    const logits = new Tensor("float32", Float32Array.of(1, 9, 2, 3, 0, 7), [1, 2, 3]);
    const last = lastLogitsRow(logits);
    expect(last.dims).toEqual([1, 1, 3]);
    expect(Array.from(rowValues(last))).toEqual([3, 0, 7]);
    expect(argmax(rowValues(last))).toBe(2);
    // A near-zero temperature is greedy; draws follow the softmax weights.
    expect(sample(Float32Array.of(3, 0, 7), 1e-3, () => 0.999)).toBe(2);
    expect(sample(Float32Array.of(0, 0), 1, () => 0.25)).toBe(0);
    expect(sample(Float32Array.of(0, 0), 1, () => 0.75)).toBe(1);
  });
});
