import type { Progress } from "./types.js";

/**
 * Maps per-stage progress onto 0..1 over the whole compression. Stages have fixed shares of the
 * bar (their rough share of the work); reports never go backwards.
 */
export class ProgressReporter {
  readonly #onProgress: ((progress: Progress) => void) | undefined;
  readonly #stages: ReadonlyMap<string, { start: number; share: number }>;
  #last = 0;

  constructor(
    onProgress: ((progress: Progress) => void) | undefined,
    shares: Record<string, number>,
  ) {
    this.#onProgress = onProgress;
    const total = Object.values(shares).reduce((sum, share) => sum + share, 0);
    const stages = new Map<string, { start: number; share: number }>();
    let start = 0;
    for (const [stage, share] of Object.entries(shares)) {
      stages.set(stage, { start, share: share / total });
      start += share / total;
    }
    this.#stages = stages;
  }

  /** `within` is the fraction of `stage` done (0..1). */
  report(stage: string, within: number): void {
    const range = this.#stages.get(stage);
    if (range === undefined) throw new RangeError(`unknown progress stage "${stage}"`);
    const fraction = Math.min(1, range.start + range.share * Math.min(1, Math.max(0, within)));
    this.#last = Math.max(this.#last, fraction);
    this.#onProgress?.({ stage, fraction: this.#last });
  }
}
