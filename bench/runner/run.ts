import { NONE, runCell } from "./cell.js";
import { type CellDeps, type PreparedSample, prepareSample } from "./prepared-sample.js";
import { type BenchRecord, isFinished, recordKey } from "./record.js";
import { notApplicable } from "./record-builders.js";
import { appendResult, readResults } from "./results-file.js";
import type { SampleSource } from "./samples.js";

export interface BenchPlan {
  readonly samples: readonly SampleSource[];
  /** Methods to run, "none" included when wanted. */
  readonly methods: readonly string[];
  readonly rates: readonly number[];
  /** Methods that cannot run in this configuration, with the reason (see probeMethod). */
  readonly unavailable: ReadonlyMap<string, string>;
}

export interface RunProgress {
  readonly done: number;
  readonly total: number;
  readonly skipped: number;
  readonly record: BenchRecord;
}

export interface RunSummary {
  /** Cells run now. */
  readonly ran: number;
  /** Cells already finished in the results file. */
  readonly skipped: number;
}

interface WorkItem {
  readonly sample: SampleSource;
  readonly method: string;
  readonly rate: number;
}

/** Every cell of the plan in run order: sample by sample (shortest first), method, rate. */
export function planCells(plan: BenchPlan): WorkItem[] {
  return plan.samples.flatMap((sample) =>
    plan.methods.flatMap((method) =>
      (method === NONE ? [1] : plan.rates).map((rate) => ({ sample, method, rate })),
    ),
  );
}

/**
 * Runs the cells not yet finished in `resultsFile`, appending one record per cell as it ends, so
 * that an interrupted run resumes where it stopped. Cells of a sample share its preparation;
 * up to `backend.concurrency` cells are in flight (queue mode), answers are serialised.
 */
export async function runBenchmark(
  plan: BenchPlan,
  deps: CellDeps,
  resultsFile: string,
  onProgress: (progress: RunProgress) => void = () => {},
): Promise<RunSummary> {
  const finished = new Set(
    readResults(resultsFile)
      .records.filter(isFinished)
      .map((record) => record.key),
  );
  const all = planCells(plan);
  const todo = all.filter(
    (item) => !finished.has(recordKey(item.sample.id, item.method, item.rate)),
  );
  const skipped = all.length - todo.length;
  const prepared = new Map<string, PreparedSample>();
  const remaining = new Map<string, number>();
  for (const item of todo) remaining.set(item.sample.id, (remaining.get(item.sample.id) ?? 0) + 1);
  const prepare = (sample: SampleSource) => {
    let found = prepared.get(sample.id);
    if (!found) {
      found = prepareSample(sample.load(), deps);
      prepared.set(sample.id, found);
    }
    return found;
  };

  let next = 0;
  let done = 0;
  let lastGroup = "";
  const runOne = async (item: WorkItem): Promise<void> => {
    const reason = plan.unavailable.get(item.method);
    const group = `${item.sample.id}|${item.method}`;
    if (reason === undefined && group !== lastGroup) {
      // Each method's first rate of a sample is timed cold; its later rates may reuse the scores
      // that do not depend on the rate, as a user compressing the document again would.
      lastGroup = group;
      await deps.backend.forgetScores?.();
    }
    const record =
      reason !== undefined
        ? notApplicable(item.sample, item.method, item.rate, reason, true)
        : await runCell(prepare(item.sample), item.method, item.rate, deps);
    appendResult(resultsFile, record);
    done++;
    // A sample's preparation (its texts) is dropped once its last cell is done.
    const left = (remaining.get(item.sample.id) ?? 1) - 1;
    remaining.set(item.sample.id, left);
    if (left === 0) prepared.delete(item.sample.id);
    onProgress({ done, total: todo.length, skipped, record });
  };
  const lane = async () => {
    while (next < todo.length) {
      const item = todo[next++] as WorkItem;
      await runOne(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.backend.concurrency) }, lane));
  return { ran: todo.length, skipped };
}
