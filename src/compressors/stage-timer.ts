/** Wall time per named stage, summed when a stage runs more than once. */
export class StageTimer {
  readonly #started = performance.now();
  readonly #timings: Record<string, number> = {};

  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.#timings[stage] = (this.#timings[stage] ?? 0) + (performance.now() - start);
    }
  }

  get timingsMs(): Record<string, number> {
    return { ...this.#timings };
  }

  get totalMs(): number {
    return performance.now() - this.#started;
  }
}
