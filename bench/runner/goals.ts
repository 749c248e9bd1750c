import type { CellSummary, PlacementSummary } from "./aggregate.js";
import { NONE } from "./cell.js";

/**
 * The goals the benchmark tracks (issue 4), evaluated on whatever a run measured. A goal without
 * the cells it needs (or with an uncompressed accuracy of 0 to compare against) is "n/a", never
 * met by default.
 */
export type GoalStatus = "met" | "not met" | "n/a";

export interface GoalResult {
  readonly goal: string;
  readonly status: GoalStatus;
  /** One line per check, with the numbers behind it. */
  readonly details: readonly string[];
}

/** Methods that read the question when compressing. */
export const QUESTION_AWARE_METHODS = [
  "longllmlingua",
  "bm25-blocks",
  "landmark",
  "landmark+longllmlingua",
] as const;
/** The baselines every question-aware method must beat. */
export const NAIVE_BASELINES = ["random", "truncate"] as const;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function combine(statuses: readonly GoalStatus[]): GoalStatus {
  if (statuses.length === 0 || statuses.includes("n/a")) return "n/a";
  return statuses.every((s) => s === "met") ? "met" : "not met";
}

function find(
  cells: readonly CellSummary[],
  task: string,
  lengthLabel: string,
  method: string,
  rate: number,
): CellSummary | undefined {
  return cells.find(
    (c) =>
      c.task === task && c.lengthLabel === lengthLabel && c.method === method && c.rate === rate,
  );
}

/** Lengths at which the task has an uncompressed accuracy to compare with. */
function uncompressedLengths(cells: readonly CellSummary[], task: string): CellSummary[] {
  return cells.filter((c) => c.task === task && c.method === NONE && c.n > 0);
}

function keepsShare(
  cell: CellSummary | undefined,
  none: CellSummary,
  share: number,
  label: string,
): { status: GoalStatus; detail: string } {
  if (cell === undefined || cell.accuracy === null || cell.n === 0) {
    return { status: "n/a", detail: `${label}: not measured` };
  }
  if (none.accuracy === null || none.accuracy === 0) {
    return { status: "n/a", detail: `${label}: uncompressed accuracy is 0, nothing to keep` };
  }
  const kept = cell.accuracy / none.accuracy;
  return {
    status: kept >= share ? "met" : "not met",
    detail: `${label}: ${pct(cell.accuracy)} (n=${cell.n}, ${cell.ratio?.toFixed(1)}x) vs uncompressed ${pct(none.accuracy)} (n=${none.n}) → keeps ${pct(kept)} (goal ≥ ${pct(share)})`,
  };
}

export function evaluateGoals(
  cells: readonly CellSummary[],
  placements: readonly PlacementSummary[],
): GoalResult[] {
  return [qaGoal(cells, placements), retrievalGoal(cells), questionAwareGoal(cells)];
}

function qaGoal(
  cells: readonly CellSummary[],
  placements: readonly PlacementSummary[],
): GoalResult {
  const goal =
    "At 4x (rate 1/4) LongLLMLingua keeps ≥ 95% of the uncompressed accuracy on 20-document QA, and accuracy at positions 5–15 is within 5 points of position 1";
  const checks: Array<{ status: GoalStatus; detail: string }> = [];
  for (const none of uncompressedLengths(cells, "doc-qa")) {
    const cell = find(cells, "doc-qa", none.lengthLabel, "longllmlingua", 0.25);
    checks.push(keepsShare(cell, none, 0.95, `doc-qa ${none.lengthLabel}`));
    const at = (position: number) =>
      placements.find(
        (p) =>
          p.task === "doc-qa" &&
          p.lengthLabel === none.lengthLabel &&
          p.method === "longllmlingua" &&
          p.rate === 0.25 &&
          p.at === position,
      );
    const first = at(1);
    const middle = [5, 10, 15].map(at);
    if (first?.accuracy == null || middle.some((p) => p?.accuracy == null)) {
      checks.push({
        status: "n/a",
        detail: `position dip at ${none.lengthLabel}: positions 1, 5, 10, 15 not all measured`,
      });
      continue;
    }
    const gaps = middle.map((p) => (p?.accuracy as number) - (first.accuracy as number));
    const worst = Math.min(...gaps);
    checks.push({
      status: worst >= -0.05 ? "met" : "not met",
      detail: `position dip at ${none.lengthLabel}: position 1 ${pct(first.accuracy)} (n=${first.n}); 5/10/15: ${middle.map((p) => `${pct(p?.accuracy as number)} (n=${p?.n})`).join(", ")}; largest drop ${pct(Math.max(0, -worst))} (goal ≤ 5 points)`,
    });
  }
  if (checks.length === 0)
    checks.push({
      status: "n/a",
      detail: "no uncompressed doc-qa accuracy (no length fits the reader's window)",
    });
  return {
    goal,
    status: combine(checks.map((c) => c.status)),
    details: checks.map((c) => c.detail),
  };
}

function retrievalGoal(cells: readonly CellSummary[]): GoalResult {
  const goal =
    "At 10x (rate 1/10) the best method keeps ≥ 80% of the uncompressed accuracy on passkey and multi-key retrieval";
  const checks: Array<{ status: GoalStatus; detail: string }> = [];
  for (const task of ["passkey", "multi-key"]) {
    const nones = uncompressedLengths(cells, task);
    if (nones.length === 0)
      checks.push({ status: "n/a", detail: `${task}: no uncompressed accuracy` });
    for (const none of nones) {
      const candidates = cells.filter(
        (c) =>
          c.task === task &&
          c.lengthLabel === none.lengthLabel &&
          c.rate === 0.1 &&
          c.method !== NONE &&
          c.accuracy !== null,
      );
      const best = candidates.sort((a, b) => (b.accuracy ?? 0) - (a.accuracy ?? 0))[0];
      const check = keepsShare(
        best,
        none,
        0.8,
        `${task} ${none.lengthLabel} best = ${best?.method ?? "none measured"}`,
      );
      checks.push(check);
    }
  }
  return {
    goal,
    status: combine(checks.map((c) => c.status)),
    details: checks.map((c) => c.detail),
  };
}

function questionAwareGoal(cells: readonly CellSummary[]): GoalResult {
  const goal =
    "Every question-aware method (LongLLMLingua, BM25 blocks, landmark, landmark+LongLLMLingua) beats random and truncation at every rate (accuracy pooled over tasks and lengths)";
  const rates = [...new Set(cells.filter((c) => c.method !== NONE).map((c) => c.rate))].sort(
    (a, b) => b - a,
  );
  const pooled = (method: string, rate: number) => {
    const group = cells.filter((c) => c.method === method && c.rate === rate && c.n > 0);
    const n = group.reduce((s, c) => s + c.n, 0);
    return n === 0
      ? null
      : { n, accuracy: group.reduce((s, c) => s + (c.accuracy ?? 0) * c.n, 0) / n };
  };
  const checks: Array<{ status: GoalStatus; detail: string }> = [];
  for (const rate of rates) {
    const baselines = NAIVE_BASELINES.map((m) => ({ method: m, result: pooled(m, rate) }));
    const bestBaseline = Math.max(...baselines.map((b) => b.result?.accuracy ?? -1));
    for (const method of QUESTION_AWARE_METHODS) {
      const result = pooled(method, rate);
      if (result === null || baselines.some((b) => b.result === null)) {
        checks.push({
          status: "n/a",
          detail: `${method} at 1/${Math.round(1 / rate)}: not measured (or a baseline missing)`,
        });
        continue;
      }
      checks.push({
        status: result.accuracy > bestBaseline ? "met" : "not met",
        detail: `${method} at 1/${Math.round(1 / rate)}: ${pct(result.accuracy)} (n=${result.n}) vs ${baselines.map((b) => `${b.method} ${pct(b.result?.accuracy ?? 0)}`).join(", ")}`,
      });
    }
  }
  return {
    goal,
    status: combine(checks.map((c) => c.status)),
    details: checks.map((c) => c.detail),
  };
}
