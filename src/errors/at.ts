import { InternalInvariantError } from "./internal-invariant-error.js";

/**
 * `values[index]` where the code guarantees the index is in range: a checked read instead of a
 * silent `?? 0`, which would turn a broken invariant into a wrong score.
 * @throws InternalInvariantError when `index` is out of range (a bug in ctxpress).
 */
export function at<T>(values: ArrayLike<T>, index: number): T {
  const value = values[index];
  if (value === undefined || index < 0) {
    throw new InternalInvariantError(`index ${index} out of range [0, ${values.length})`);
  }
  return value;
}
