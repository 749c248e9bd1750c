/** Contexts ordered for the coarse stage: `order` holds indexes best first. */
export interface Ranking {
  readonly order: readonly number[];
  /** The ranker's score per context, by index (lower or higher is better, per ranker). */
  readonly scores: readonly number[];
}

/** Sorts indexes by score; NaN (an empty context) ranks last, ties keep document order. */
export function rankByScore(scores: readonly number[], better: "lower" | "higher"): Ranking {
  const sign = better === "lower" ? 1 : -1;
  const order = scores
    .map((_, index) => index)
    .sort((a, b) => {
      const x = scores[a] ?? Number.NaN;
      const y = scores[b] ?? Number.NaN;
      if (Number.isNaN(x) || Number.isNaN(y))
        return Number(Number.isNaN(x)) - Number(Number.isNaN(y));
      return sign * (x - y) || a - b;
    });
  return { order, scores };
}
