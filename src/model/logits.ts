import { Tensor } from "onnxruntime-node";

/**
 * Single logits rows: the decoder picks its next token from one, and the scoring stream keeps
 * the last one. fp16 models return logits as raw IEEE half bits (Uint16Array).
 */

/** A copy of the last position's logits of a [batch=1, rows, vocab] tensor, as [1, 1, vocab]. */
export function lastLogitsRow(logits: Tensor): Tensor {
  const [, rows = 1, vocab = 0] = logits.dims;
  const data = logits.data as Float32Array | Uint16Array;
  const row = data.slice((rows - 1) * vocab, rows * vocab);
  return new Tensor(logits.type as "float32" | "float16", row, [1, 1, vocab]);
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The values of a [1, 1, vocab] logits tensor as float32. */
export function rowValues(row: Tensor): Float32Array {
  const data = row.data as Float32Array | Uint16Array;
  return data instanceof Float32Array ? data : Float32Array.from(data, halfToFloat);
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as number) > (values[best] as number)) best = i;
  }
  return best;
}

/** Samples from softmax(values / temperature); `random` returns uniform numbers in [0, 1). */
export function sample(values: Float32Array, temperature: number, random: () => number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) max = Math.max(max, v);
  const weights = new Float64Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += weights[i] = Math.exp(((values[i] as number) - max) / temperature);
  }
  let threshold = random() * total;
  for (let i = 0; i < weights.length; i++) {
    threshold -= weights[i] as number;
    if (threshold <= 0) return i;
  }
  return weights.length - 1;
}
