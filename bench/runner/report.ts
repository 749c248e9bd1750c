import {
  type CellSummary,
  lengthOrder,
  type PlacementSummary,
  summarizeCells,
  summarizePlacements,
} from "./aggregate.js";
import { NONE } from "./cell.js";
import { markdownTable, milliseconds, percent, rateLabel, textTable, times } from "./format.js";
import { evaluateGoals, type GoalResult } from "./goals.js";
import type { BenchRecord } from "./record.js";

/** What the report says about the run besides its results. */
export interface ReportContext {
  readonly suite: string;
  /** The command that reproduces the run. */
  readonly command: string;
  readonly reader: {
    readonly modelId: string;
    readonly tokenizer: string;
    readonly window: number | null;
    readonly promptBudget: number | null;
  };
  readonly backend: string;
  readonly methods: readonly string[];
  readonly rates: readonly number[];
  /** Wall time of the runs that wrote the results (this one and earlier ones it resumed). */
  readonly wallSeconds: number;
  readonly cellsRun: number;
  readonly cellsSkipped: number;
  /** Plot files, relative to the report. */
  readonly plots: readonly string[];
  readonly maxNewTokens: number;
  readonly budgetMargin: number;
}

export interface BenchTables {
  readonly cells: CellSummary[];
  /** The same, pooled over tasks (task "all tasks"). */
  readonly pooled: CellSummary[];
  readonly placements: PlacementSummary[];
  readonly goals: GoalResult[];
}

export const ALL_TASKS = "all tasks";

export function benchTables(
  records: readonly BenchRecord[],
  methods: readonly string[],
): BenchTables {
  const cells = summarizeCells(records, methods);
  const placements = summarizePlacements(records);
  return {
    cells,
    pooled: summarizeCells(
      records.map((r) => ({ ...r, task: ALL_TASKS })),
      methods,
    ),
    placements,
    goals: evaluateGoals(cells, placements),
  };
}

function accuracyCell(cell: CellSummary | undefined): string {
  if (cell === undefined) return "";
  if (cell.n === 0) return cell.errors > 0 && cell.notApplicable === 0 ? "error" : "n/a";
  return `${percent(cell.accuracy, 0)} @ ${times(cell.ratio)}`;
}

/** Method × rate pivot of one length (and task), "accuracy @ achieved ratio" per cell. */
function pivot(
  cells: readonly CellSummary[],
  rates: readonly number[],
  methods: readonly string[],
) {
  const rows = methods
    .filter((method) => cells.some((c) => c.method === method))
    .map((method) => {
      if (method === NONE) {
        const cell = cells.find((c) => c.method === NONE);
        return [method, ...rates.map((_, i) => (i === 0 ? accuracyCell(cell) : ""))];
      }
      return [
        method,
        ...rates.map((rate) =>
          accuracyCell(cells.find((c) => c.method === method && c.rate === rate)),
        ),
      ];
    });
  return { header: ["method", ...rates.map((r) => `rate ${rateLabel(r)}`)], rows };
}

function detailRows(cells: readonly CellSummary[]): string[][] {
  return cells.map((c) => [
    c.method,
    c.method === NONE ? "–" : rateLabel(c.rate),
    `${c.n}${c.notApplicable ? ` (+${c.notApplicable} n/a)` : ""}${c.errors ? ` (+${c.errors} failed)` : ""}`,
    c.n === 0
      ? "n/a"
      : `${percent(c.accuracy)} [${percent(c.interval?.[0] ?? null, 0)}–${percent(c.interval?.[1] ?? null, 0)}]`,
    percent(c.retention, 0),
    times(c.ratio),
    times(c.ratioCl100k),
    c.method === NONE ? "–" : percent(c.cappedShare, 0),
    `${c.overWindow} / ${c.retried}`,
    milliseconds(c.compressMs),
    c.tokensPerSecond === null ? "–" : Math.round(c.tokensPerSecond).toLocaleString("en-US"),
    milliseconds(c.decodeMs),
    milliseconds(c.endToEndMs),
    c.speedup === null ? "–" : `${c.speedup.toFixed(2)}x`,
  ]);
}

const DETAIL_HEADER = [
  "method",
  "rate",
  "n",
  "accuracy [95% CI]",
  "answer kept",
  "ratio (reader)",
  "ratio (cl100k)",
  "window-capped",
  "over window / retried",
  "compress ms",
  "compress tok/s",
  "answer ms",
  "end-to-end ms",
  "speed-up vs none",
];

function placementTables(
  placements: readonly PlacementSummary[],
  lengths: readonly string[],
): string[] {
  const out: string[] = [];
  const tasks = [...new Set(placements.map((p) => p.task))];
  for (const task of tasks) {
    for (const length of lengths) {
      const group = placements.filter((p) => p.task === task && p.lengthLabel === length);
      if (group.length === 0) continue;
      const axis = group[0]?.axis ?? "depth";
      const points = [...new Set(group.map((p) => p.at))].sort((a, b) => a - b);
      const series = [...new Set(group.map((p) => `${p.method}|${p.rate}`))];
      const rows = series.map((key) => {
        const [method, rate] = key.split("|") as [string, string];
        return [
          method === NONE ? NONE : `${method} ${rateLabel(Number(rate))}`,
          ...points.map((at) => {
            const p = group.find(
              (g) => g.method === method && g.rate === Number(rate) && g.at === at,
            );
            return p ? `${percent(p.accuracy, 0)} (${p.n})` : "";
          }),
        ];
      });
      out.push(
        `#### ${task}, ${length}: accuracy by ${axis === "depth" ? "needle depth (0 = start, 1 = end)" : "position of the answer document"} (n)`,
        "",
        markdownTable(
          [axis === "depth" ? "method / depth" : "method / position", ...points.map(String)],
          rows,
        ),
        "",
      );
    }
  }
  return out;
}

function goalLines(goals: readonly GoalResult[]): string[] {
  return goals.flatMap((g) => [
    `- **${g.status}** — ${g.goal}`,
    ...g.details.map((d) => `  - ${d}`),
  ]);
}

/**
 * Why cells were n/a or failed, per method: reasons that differ only in their numbers (token
 * counts) are one line, with the first example and how many cells gave it.
 */
function reasonLines(records: readonly BenchRecord[]): string[] {
  const byMethod = new Map<string, Map<string, { example: string; cells: number }>>();
  for (const record of records) {
    if (record.status !== "n/a" && record.status !== "error") continue;
    const reason = (record.reason ?? "(no reason recorded)").replaceAll("|", "/");
    const shapes = byMethod.get(record.method) ?? new Map();
    const shape = reason.replace(/\d+/g, "#");
    const seen = shapes.get(shape) ?? { example: reason, cells: 0 };
    seen.cells++;
    shapes.set(shape, seen);
    byMethod.set(record.method, shapes);
  }
  if (byMethod.size === 0) return ["None: every cell ran."];
  return [...byMethod.entries()].flatMap(([method, shapes]) => [
    `- ${method}:`,
    ...[...shapes.values()].map(
      ({ example, cells }) => `  - ${example} (${cells} cell${cells === 1 ? "" : "s"})`,
    ),
  ]);
}

/** The whole report as Markdown. */
export function renderReport(
  records: readonly BenchRecord[],
  tables: BenchTables,
  context: ReportContext,
): string {
  const lengths = lengthOrder(records);
  const tasks = [...new Set(records.map((r) => r.task))];
  const samples = new Set(records.map((r) => r.sampleId)).size;
  const models = new Map<string, Set<string>>();
  for (const record of records) {
    for (const [role, id] of Object.entries(record.models ?? {})) {
      models.set(role, (models.get(role) ?? new Set()).add(id));
    }
  }
  const lines: string[] = [
    `# ctxpress benchmark — suite "${context.suite}"`,
    "",
    `Command: \`${context.command}\``,
    "",
    `- Reader: \`${context.reader.modelId}\`, window ${context.reader.window ?? "unknown"} tokens; prompts up to ${context.reader.promptBudget ?? "any length"} tokens (room for ${context.maxNewTokens} answer tokens); counted with \`${context.reader.tokenizer}\`.`,
    ...[...models.entries()].map(
      ([role, ids]) => `- ${role}: ${[...ids].map((id) => `\`${id}\``).join(", ")}`,
    ),
    `- Compression: ${context.backend}. Methods: ${context.methods.join(", ")}. Rates: ${context.rates.map(rateLabel).join(", ")}.`,
    `- ${samples} samples (${tasks.join(", ")}) at ${lengths.join(", ")}; ${records.length} cells (${context.cellsRun} run now, ${context.cellsSkipped} resumed from earlier runs); ${Math.round(context.wallSeconds)} s of run time.`,
    `- Budget rule: target = min(rate × original prompt, what fits the reader's window less ${Math.round(context.budgetMargin * 100)}% slack). Ratios are achieved ones: original ÷ compressed reader prompt, in the reader's tokenizer and in cl100k_base.`,
    '- A compression whose prompt still overflows the reader (a method counting its target in another tokenizer) is asked once more with the target scaled by the overshoot ("retried"; the latency is the second attempt\'s); one that still does not fit scores 0 ("over window").',
    `- Latency: each sample is compressed at the highest rate first (${context.rates.map(rateLabel).join(", ")}), and in process each method starts it with an empty scorer cache, so the first rate's latency is a cold compression. Scores that do not depend on the rate (LLMLingua's context perplexities, LongLLMLingua's document ranking, Selective-Context's self-information) come from the cache (cacheTokens) at the later rates, as they would for a user compressing the same document again. Queue workers keep their caches between jobs, so there a method may also reuse scores another method left.`,
    "- Reused cells: where the reader's window caps two rates to the same budget, the method is asked for the same thing twice; methods are deterministic and the reader greedy, so the lower rate's cell reuses the higher one's compression, answer and timings (`reusedFrom` in results.jsonl) instead of running it again.",
    '- Accuracy: the task\'s own metric (passkey: first integer; multi-key: any answer found; multi-value and variable tracking: share of answers found; doc-qa: best-subspan EM), 95% Wilson interval. "n/a": the method cannot run the cell (reasons at the end); over-window prompts score 0.',
    "",
    "## Goals",
    "",
    ...goalLines(tables.goals),
    "",
    "## Accuracy @ achieved compression ratio, all tasks pooled",
    "",
  ];
  for (const length of lengths) {
    const { header, rows } = pivot(
      tables.pooled.filter((c) => c.lengthLabel === length),
      context.rates,
      context.methods,
    );
    lines.push(`### ${length}`, "", markdownTable(header, rows), "");
  }
  lines.push("## Per task", "");
  for (const length of lengths) {
    for (const task of tasks) {
      const cells = tables.cells.filter((c) => c.lengthLabel === length && c.task === task);
      if (cells.length === 0) continue;
      lines.push(`### ${task}, ${length}`, "", markdownTable(DETAIL_HEADER, detailRows(cells)), "");
    }
  }
  lines.push(
    "## Accuracy by needle depth and document position",
    "",
    ...placementTables(tables.placements, lengths),
  );
  lines.push("## Not applicable and failed cells", "", ...reasonLines(records), "");
  if (context.plots.length > 0) {
    lines.push(
      "## Plots",
      "",
      ...context.plots.filter((p) => p.endsWith(".png")).map((p) => `![${p}](${p})`),
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The summary printed at the end of a run: goals and the pooled accuracy per length. */
export function renderSummary(
  records: readonly BenchRecord[],
  tables: BenchTables,
  context: ReportContext,
): string {
  const out: string[] = [];
  for (const length of lengthOrder(records)) {
    const { header, rows } = pivot(
      tables.pooled.filter((c) => c.lengthLabel === length),
      context.rates,
      context.methods,
    );
    out.push(`${length} (accuracy @ achieved ratio, all tasks):`, textTable(header, rows), "");
  }
  out.push("Goals:", ...tables.goals.map((g) => `  [${g.status}] ${g.goal}`));
  return `${out.join("\n")}\n`;
}
