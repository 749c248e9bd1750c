import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { canonicalJson, sha256Hex } from "../../queues/hash.js";
import { METHODS } from "../../src/compressors/index.js";
import { targetTokenCounter } from "../../src/compressors/target-tokenizer.js";
import type { ModelsConfigInput } from "../../src/model/provider-config.js";
import type { Suite } from "../suites/types.js";
import { lengthOrder } from "./aggregate.js";
import { type CompressionBackend, inProcessBackend, queueBackend } from "./backend.js";
import { NONE } from "./cell.js";
import { type DatasetMetric, loadDataset } from "./dataset.js";
import { writePlots } from "./plots.js";
import type { CellDeps } from "./prepared-sample.js";
import { probeMethod } from "./probe.js";
import { createReader } from "./reader.js";
import { recordKey } from "./record.js";
import { benchTables, type ReportContext, renderReport, renderSummary } from "./report.js";
import {
  MANIFEST_FILE,
  type Manifest,
  openRunFolder,
  RESULTS_FILE,
  readResults,
} from "./results-file.js";
import { type BenchPlan, planCells, runBenchmark } from "./run.js";
import {
  type BenchSample,
  generatedSource,
  generateSample,
  heldOutGeneration,
  type SampleSource,
  sampleSeed,
  suiteRefs,
} from "./samples.js";

/** Version of the reader prompt and record layout; part of every run folder's identity. */
const FORMAT_VERSION = 1;
/** Slack left in window-capped budgets (see BudgetInput.margin). */
export const DEFAULT_BUDGET_MARGIN = 0.05;
const RUNS_FILE = "runs.jsonl";

export interface QueueSettings {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Local worker processes to start; 0 uses workers already serving the prefix. */
  readonly workers: number;
  readonly timeoutMs: number;
}

export interface SuiteRunOptions {
  readonly suite: Suite;
  /** Output folder: results.jsonl, run.json, report.md, plots. */
  readonly out: string;
  /** Models configuration (JSON), `{}` for the embedded models. */
  readonly models: unknown;
  /** Methods to run (default: every registered method and "none"). */
  readonly methods?: readonly string[];
  /** Rates to ask for (default: the suite's). */
  readonly rates?: readonly number[];
  /** JSONL datasets run alongside (or, with `generated: false`, instead of) the suite's tasks. */
  readonly datasets?: readonly string[];
  readonly datasetMetric?: DatasetMetric;
  /** Run the suite's generated tasks (default true). */
  readonly generated?: boolean;
  /** Compress through the queue instead of in this process. */
  readonly queue?: QueueSettings | null;
  /** Rewrite report and plots from the results already in `out`, running nothing. */
  readonly reportOnly?: boolean;
  readonly budgetMargin?: number;
  /** The command line, for the report. */
  readonly command: string;
  readonly log?: (line: string) => void;
}

export interface SuiteRunResult {
  readonly reportFile: string;
  readonly plots: readonly string[];
  readonly summary: string;
  readonly ran: number;
  readonly skipped: number;
}

export class BenchUsageError extends Error {
  override readonly name = "BenchUsageError";
}

function methodsToRun(requested: readonly string[] | undefined): string[] {
  const known = [NONE, ...METHODS];
  if (requested === undefined) return known;
  const unknown = requested.filter((m) => !known.includes(m));
  if (unknown.length > 0) {
    throw new BenchUsageError(
      `unknown method(s) ${unknown.join(", ")}; known: ${known.join(", ")}`,
    );
  }
  return known.filter((m) => requested.includes(m));
}

/** A small passkey prompt every method compresses once before the run (see probeMethod). */
function probeSample(countTokens: (text: string) => number): BenchSample {
  return generateSample(
    {
      kind: "generated",
      task: "passkey",
      lengthTokens: 400,
      seed: sampleSeed("probe"),
      depth: 0.5,
    },
    heldOutGeneration(countTokens),
  );
}

function planSources(
  options: SuiteRunOptions,
  countTokens: (text: string) => number,
): SampleSource[] {
  const generation = heldOutGeneration(countTokens);
  const generated =
    options.generated === false
      ? []
      : suiteRefs(options.suite).map((ref) => generatedSource(ref, generation));
  const loaded = (options.datasets ?? []).flatMap((file) =>
    loadDataset(file, options.datasetMetric).map(
      (sample): SampleSource => ({ ...sample, load: () => sample }),
    ),
  );
  if (generated.length + loaded.length === 0)
    throw new BenchUsageError("nothing to run: no tasks and no datasets");
  return [...generated, ...loaded];
}

interface RunLogEntry {
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly cellsRun: number;
}

function pastWallSeconds(dir: string): number {
  const file = path.join(dir, RUNS_FILE);
  if (!existsSync(file)) return 0;
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .reduce((total, line) => total + ((JSON.parse(line) as RunLogEntry).wallSeconds ?? 0), 0);
}

/** Runs (or resumes) a suite into `options.out`, then writes report.md, the plots and a summary. */
export async function runSuite(options: SuiteRunOptions): Promise<SuiteRunResult> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const methods = methodsToRun(options.methods);
  const rates = [...(options.rates ?? options.suite.rates)].sort((a, b) => b - a);
  const budgetMargin = options.budgetMargin ?? DEFAULT_BUDGET_MARGIN;
  const resultsFile = path.join(options.out, RESULTS_FILE);

  // Datasets are read (and refused) before any model loads; samples are generated later, in the
  // reader's tokens (never for a report: its cells are known from the samples' references).
  let countReaderTokens: ((text: string) => number) | undefined;
  const sources = planSources(options, (text) => {
    if (countReaderTokens === undefined)
      throw new Error("the reader's tokenizer is not loaded yet");
    return countReaderTokens(text);
  });
  if (options.reportOnly) {
    const manifestFile = path.join(options.out, MANIFEST_FILE);
    if (!existsSync(manifestFile))
      throw new BenchUsageError(`${options.out} holds no benchmark run (${MANIFEST_FILE} missing)`);
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    const reader = manifest.configuration.reader as ReportContext["reader"];
    return writeReport(options, {
      methods,
      rates,
      sources,
      reader,
      backend: "(report only)",
      budgetMargin,
      ran: 0,
      skipped: 0,
      log,
    });
  }

  const { createModels } = await import("../../src/model/models.js");
  // createModels validates the configuration (a ModelConfigError when invalid).
  const models = createModels(options.models as ModelsConfigInput);
  let backend: CompressionBackend | undefined;
  try {
    const scorer = await models.scorer();
    const decoder = await models.decoder();
    const inProcess = await inProcessBackend(models);
    // Gist vectors are read back from wherever the compressions ran (set below).
    let vectorStore: CompressionBackend = inProcess;
    const reader = createReader(decoder, scorer.tokenizer, options.suite.maxNewTokens, {
      reader: () => models.summaryReader(),
      summaries: () => vectorStore.summaryVectors,
    });
    const readerInfo = {
      modelId: reader.modelId,
      tokenizer: reader.tokenizer,
      window: reader.window,
      promptBudget: reader.promptBudget,
    };
    const configuration = {
      format: FORMAT_VERSION,
      models: models.fingerprint,
      scorer: scorer.modelId,
      reader: readerInfo,
      maxNewTokens: options.suite.maxNewTokens,
      chunkChars: options.suite.chunkChars,
      budgetMargin,
      datasetMetric: options.datasetMetric ?? "contains",
    };
    openRunFolder(options.out, {
      version: 1,
      configuration,
      fingerprint: sha256Hex(canonicalJson(configuration)),
      createdAt: startedAt,
    });
    countReaderTokens = (text) => reader.countTokens(text);
    const unavailable = new Map<string, string>();
    const probe = probeSample((text) => reader.countTokens(text));
    for (const method of methods.filter((m) => m !== NONE)) {
      const reason = await probeMethod(method, probe, inProcess, reader);
      if (reason !== null) {
        unavailable.set(method, reason);
        log(`${method}: n/a in this configuration (${reason})`);
      }
    }
    backend = options.queue
      ? await queueBackend({ ...options.queue, models: options.models as never })
      : inProcess;
    vectorStore = backend;
    const deps: CellDeps = {
      backend,
      reader,
      compressorTokens: (text) => scorer.tokenizer.encode(text).length,
      cl100kTokens: await targetTokenCounter("cl100k_base"),
      chunkChars: options.suite.chunkChars,
      budgetMargin,
    };
    const plan: BenchPlan = { samples: sources, methods, rates, unavailable };
    log(
      `suite ${options.suite.name}: ${sources.length} samples × ${methods.length} methods → ${planCells(plan).length} cells; reader ${reader.modelId} (window ${reader.window ?? "unknown"}); ${backend.description}`,
    );
    const summary = await runBenchmark(
      plan,
      deps,
      resultsFile,
      ({ done, total, skipped, record }) => {
        const elapsed = (performance.now() - started) / 1000;
        const eta = done === 0 ? 0 : (elapsed / done) * (total - done);
        const score = record.metrics ? ` score ${record.metrics.score.toFixed(2)}` : "";
        const ratio =
          record.metrics && record.method !== NONE
            ? ` ${(record.metrics.reader.original / Math.max(1, record.metrics.reader.compressed)).toFixed(1)}x`
            : "";
        log(
          `[${done + skipped}/${total + skipped}] ${record.sampleId} ${record.method} ${record.rate}: ${record.status}${score}${ratio}${record.reason && record.status !== "n/a" ? ` (${record.reason})` : ""} — ETA ${Math.round(eta)} s`,
        );
      },
    );
    const wallSeconds = (performance.now() - started) / 1000;
    appendFileSync(
      path.join(options.out, RUNS_FILE),
      `${JSON.stringify({ startedAt, wallSeconds, cellsRun: summary.ran } satisfies RunLogEntry)}\n`,
    );
    return await writeReport(options, {
      methods,
      rates,
      sources,
      reader: readerInfo,
      backend: backend.description,
      budgetMargin,
      ran: summary.ran,
      skipped: summary.skipped,
      log,
    });
  } finally {
    await backend?.close();
    await models.dispose();
  }
}

async function writeReport(
  options: SuiteRunOptions,
  run: {
    methods: string[];
    rates: number[];
    sources: SampleSource[];
    reader: ReportContext["reader"];
    backend: string;
    budgetMargin: number;
    ran: number;
    skipped: number;
    log: (line: string) => void;
  },
): Promise<SuiteRunResult> {
  const { records, unreadableLines } = readResults(path.join(options.out, RESULTS_FILE));
  if (unreadableLines.length > 0) {
    run.log(
      `results.jsonl: ${unreadableLines.length} unreadable line(s) (${unreadableLines.slice(0, 5).join(", ")}); their cells run again next time`,
    );
  }
  // The report describes this command's plan: records of other plans in the folder stay out.
  const planned = new Set(
    planCells({
      samples: run.sources,
      methods: run.methods,
      rates: run.rates,
      unavailable: new Map(),
    }).map((item) => recordKey(item.sample.id, item.method, item.rate)),
  );
  const inPlan = records.filter((record) => planned.has(record.key));
  const tables = benchTables(inPlan, run.methods);
  const plots =
    inPlan.length === 0
      ? []
      : await writePlots(options.out, {
          cells: tables.cells,
          pooled: tables.pooled,
          placements: tables.placements,
          lengths: lengthOrder(inPlan),
          methods: run.methods,
        });
  const context: ReportContext = {
    suite: options.suite.name,
    command: options.command,
    reader: run.reader,
    backend: run.backend,
    methods: run.methods,
    rates: run.rates,
    wallSeconds: pastWallSeconds(options.out),
    cellsRun: run.ran,
    cellsSkipped: run.skipped,
    plots,
    maxNewTokens: options.suite.maxNewTokens,
    budgetMargin: run.budgetMargin,
  };
  const reportFile = path.join(options.out, "report.md");
  writeFileSync(reportFile, renderReport(inPlan, tables, context));
  return {
    reportFile,
    plots: plots.map((p) => path.join(options.out, p)),
    summary: renderSummary(inPlan, tables, context),
    ran: run.ran,
    skipped: run.skipped,
  };
}
