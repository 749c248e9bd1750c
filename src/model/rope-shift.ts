import type { RopeConfig } from "./model-config.js";

/**
 * Moves cached RoPE keys `shift` positions earlier, in place: a key rotated for position p becomes
 * the key the model would have computed at p - shift. RoPE turns each pair (i, i + dim/2) by
 * position x theta^(-2i/dim), and rotations compose, so turning by -shift x theta^(-2i/dim) is
 * exact up to float rounding. Values carry no position and stay as they are.
 *
 * `keys` is one layer's [heads, length, headDim] block of a single row; rows `from` to the end
 * are moved.
 */
export function shiftRopeKeys(
  keys: Float32Array,
  length: number,
  headDim: number,
  from: number,
  shift: number,
  rope: RopeConfig,
): void {
  const half = rope.dim / 2;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    const angle = -shift * rope.theta ** ((-2 * i) / rope.dim);
    cos[i] = Math.cos(angle);
    sin[i] = Math.sin(angle);
  }
  const heads = keys.length / (length * headDim);
  for (let h = 0; h < heads; h++) {
    for (let t = from; t < length; t++) {
      const base = (h * length + t) * headDim;
      for (let i = 0; i < half; i++) {
        const a = keys[base + i] as number;
        const b = keys[base + i + half] as number;
        const c = cos[i] as number;
        const s = sin[i] as number;
        keys[base + i] = a * c - b * s;
        keys[base + i + half] = b * c + a * s;
      }
    }
  }
}
