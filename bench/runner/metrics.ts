/**
 * Per-record and per-cell numbers, as pure functions over plain values: the runner computes
 * records with them, the report aggregates with them, and tests recompute both from raw JSONL.
 */

/** Share of gold answers still present (case-insensitive, verbatim) in the contexts. */
export function answerRetention(contexts: readonly string[], answers: readonly string[]): number {
  if (answers.length === 0) return 0;
  const text = contexts.join("\n\n").toLowerCase();
  return answers.filter((answer) => text.includes(answer.toLowerCase())).length / answers.length;
}

/** original ÷ compressed (Infinity when nothing is left). */
export function compressionRatio(original: number, compressed: number): number {
  return compressed === 0 ? Number.POSITIVE_INFINITY : original / compressed;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Wilson score interval (95%) of a mean of scores in [0, 1] over n samples. Exact for 0/1
 * scores; for partial-credit metrics (multi-value, variable tracking) it treats the mean as a
 * proportion, which is wider than the data needs, never narrower.
 */
export function wilsonInterval(meanScore: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const z2 = z * z;
  const centre = (meanScore + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((meanScore * (1 - meanScore)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
