import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarizeCells } from "../../bench/runner/aggregate.js";
import { cellBudget } from "../../bench/runner/budget.js";
import { wilsonInterval } from "../../bench/runner/metrics.js";
import type { BenchRecord } from "../../bench/runner/record.js";
import { benchTables, type ReportContext, renderReport } from "../../bench/runner/report.js";
import { readResults } from "../../bench/runner/results-file.js";
import { type BenchPlan, runBenchmark } from "../../bench/runner/run.js";
import { headBackend, keyReader, passkeySources, testDeps } from "./helpers.js";

const tmp = () => join(mkdtempSync(join(tmpdir(), "ctxpress-bench-")), "results.jsonl");

function plan(overrides: Partial<BenchPlan> = {}): BenchPlan {
  return {
    samples: passkeySources(300, [0.1, 0.9]),
    methods: ["none", "head"],
    rates: [0.5],
    unavailable: new Map(),
    ...overrides,
  };
}

const byKey = (records: readonly BenchRecord[]) =>
  new Map(records.map((r) => [`${r.depth}|${r.method}`, r]));

const context: ReportContext = {
  suite: "test",
  command: "ctxpress bench --suite test",
  reader: { modelId: "key-reader", tokenizer: "words", window: null, promptBudget: null },
  backend: "test",
  methods: ["none", "head", "broken", "vectors"],
  rates: [0.5],
  wallSeconds: 1,
  cellsRun: 0,
  cellsSkipped: 0,
  plots: [],
  maxNewTokens: 24,
  budgetMargin: 0,
};

describe("cell budget", () => {
  const base = {
    compressorTokens: 8000,
    compressorReaderTokens: 8000,
    readerOverheadTokens: 20,
    margin: 0,
  };
  it("asks for the rate when the result fits the reader", () => {
    expect(cellBudget({ ...base, rate: 0.1, readerBudget: 2000 })).toEqual({
      options: { rate: 0.1 },
      targetTokens: 800,
      cappedByWindow: false,
    });
    expect(cellBudget({ ...base, rate: 0.5, readerBudget: null }).cappedByWindow).toBe(false);
  });
  it("caps at what fits the window, less the reader's own tokens and the margin, in scorer tokens", () => {
    expect(cellBudget({ ...base, rate: 0.5, readerBudget: 2000 })).toEqual({
      options: { targetTokens: 1980 },
      targetTokens: 1980,
      cappedByWindow: true,
    });
    // The scorer's tokenizer needs twice as many tokens for the same text: so does the cap.
    const scaled = cellBudget({
      ...base,
      compressorTokens: 16000,
      rate: 0.5,
      readerBudget: 2000,
      margin: 0.1,
    });
    expect(scaled.targetTokens).toBe(Math.floor(1980 * 2 * 0.9));
  });
});

describe("runBenchmark", () => {
  it("records every cell with metrics that follow from its raw fields", async () => {
    const file = tmp();
    const answered: string[] = [];
    const summary = await runBenchmark(
      plan(),
      testDeps(keyReader(null, answered), headBackend()),
      file,
    );
    expect(summary).toEqual({ ran: 4, skipped: 0 });
    const { records } = readResults(file);
    const cells = byKey(records);
    // The key reader answers exactly when the needle survived: head truncation keeps depth 0.1 only.
    expect(cells.get("0.1|head")?.metrics?.score).toBe(1);
    expect(cells.get("0.9|head")?.metrics?.score).toBe(0);
    expect(cells.get("0.9|none")?.metrics?.score).toBe(1);
    for (const record of records) {
      expect(record.status).toBe("ok");
      const kept = (record.contexts ?? []).join("\n\n");
      const key = record.answers[0] as string;
      expect(record.metrics?.retention).toBe(
        record.method === "none" || kept.includes(key) ? 1 : 0,
      );
      expect(record.prediction).toBe(` ${record.metrics?.retention === 1 ? key : "unknown"}.`);
    }
    const head = cells.get("0.1|head") as BenchRecord;
    expect(head.metrics?.reader.compressed).toBeLessThan(
      (head.metrics?.reader.original ?? 0) * 0.6,
    );
    expect(answered).toHaveLength(4);
  });

  it("resumes: a rerun skips finished cells and reruns a cell whose line was cut short", async () => {
    const file = tmp();
    await runBenchmark(plan(), testDeps(keyReader(null), headBackend()), file);
    const calls: string[] = [];
    expect(
      await runBenchmark(plan(), testDeps(keyReader(null), headBackend({}, calls)), file),
    ).toEqual({
      ran: 0,
      skipped: 4,
    });
    expect(calls).toEqual([]);
    // Simulate a run killed while writing its last line.
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    writeFileSync(
      file,
      `${lines.slice(0, -1).join("\n")}\n${(lines.at(-1) as string).slice(0, 40)}`,
    );
    expect(readResults(file).unreadableLines).toEqual([4]);
    appendFileSync(file, "\n");
    expect(
      await runBenchmark(plan(), testDeps(keyReader(null), headBackend({}, calls)), file),
    ).toEqual({
      ran: 1,
      skipped: 3,
    });
    expect(calls).toEqual(["head"]);
    expect(readResults(file).records).toHaveLength(4);
  });

  it("runs a window-capped budget once: a lower rate asking for the same target reuses that record", async () => {
    const file = tmp();
    const calls: string[] = [];
    const answered: string[] = [];
    // A 300-word prompt and a 100-word reader budget: rates 1/2 and 1/3 both cap at the window,
    // rate 1/10 (30 words) does not.
    await runBenchmark(
      plan({ samples: passkeySources(300, [0.1]), methods: ["head"], rates: [0.5, 1 / 3, 0.1] }),
      testDeps(keyReader(100, answered), headBackend({}, calls)),
      file,
    );
    expect(calls).toEqual(["head", "head"]);
    expect(answered).toHaveLength(2);
    const [half, third, tenth] = readResults(file).records as BenchRecord[];
    expect(half?.budget?.cappedByWindow).toBe(true);
    expect(half?.reusedFrom).toBeUndefined();
    expect(third).toMatchObject({
      rate: 1 / 3,
      reusedFrom: 0.5,
      key: half?.key.replace("|0.5", `|${1 / 3}`),
      budget: half?.budget,
      contexts: half?.contexts,
      prediction: half?.prediction,
      metrics: half?.metrics,
    });
    expect(tenth?.budget?.cappedByWindow).toBe(false);
    expect(tenth?.reusedFrom).toBeUndefined();
    expect(tenth?.metrics?.reader.compressed).toBeLessThan(half?.metrics?.reader.compressed ?? 0);
  });

  it("reuses a window-capped compression also when the two cells run side by side", async () => {
    const calls: string[] = [];
    const backend = { ...headBackend({}, calls), concurrency: 2 };
    await runBenchmark(
      plan({ samples: passkeySources(300, [0.1]), methods: ["head"], rates: [0.5, 1 / 3] }),
      testDeps(keyReader(100), backend),
      tmp(),
    );
    expect(calls).toEqual(["head"]);
  });

  it("starts each method of each sample with the scorer cache emptied, not each rate", async () => {
    const events: string[] = [];
    const head = headBackend({}, events);
    const backend = {
      ...head,
      forgetScores: async () => {
        events.push("forget");
      },
    };
    await runBenchmark(
      plan({ methods: ["head", "tail"], rates: [0.5, 0.25] }),
      testDeps(keyReader(null), backend),
      tmp(),
    );
    const perSample = ["forget", "head", "head", "forget", "tail", "tail"];
    expect(events).toEqual([...perSample, ...perSample]);
  });

  it("retries failed cells and n/a cells whose models were missing, but not window n/a", async () => {
    const file = tmp();
    const deps = testDeps(keyReader(100), headBackend());
    const first = plan({
      methods: ["none", "broken", "head"],
      unavailable: new Map([["head", "ModelLoadError: no model"]]),
    });
    await runBenchmark(first, deps, file);
    const records = byKey(readResults(file).records);
    expect(records.get("0.1|broken")).toMatchObject({ status: "error", reason: "Error: boom" });
    expect(records.get("0.1|head")).toMatchObject({
      status: "n/a",
      retry: true,
      reason: "ModelLoadError: no model",
    });
    expect(records.get("0.1|none")?.status).toBe("n/a");
    expect(records.get("0.1|none")?.retry).toBeUndefined();
    expect(records.get("0.1|none")?.reason).toMatch(
      /uncompressed prompt has \d+ reader tokens; the reader's 125-token window takes 100/,
    );
    const calls: string[] = [];
    const second = await runBenchmark(
      { ...first, unavailable: new Map() },
      testDeps(keyReader(100), headBackend({}, calls)),
      file,
    );
    expect(second).toEqual({ ran: 4, skipped: 2 });
    expect(calls.sort()).toEqual(["broken", "broken", "head", "head"]);
    expect(byKey(readResults(file).records).get("0.1|head")?.status).toBe("ok");
  });

  it("reports n/a as n/a: not as 0, not as full accuracy, and never inside an accuracy", async () => {
    const file = tmp();
    await runBenchmark(
      plan({ methods: ["none", "head", "broken"] }),
      testDeps(keyReader(200), headBackend()),
      file,
    );
    await runBenchmark(
      plan({ methods: ["vectors"] }),
      testDeps(keyReader(200), headBackend({ summaryVectors: "key" })),
      file,
    );
    const { records } = readResults(file);
    const cells = summarizeCells(records, context.methods);
    const none = cells.find((c) => c.method === "none");
    expect(none).toMatchObject({
      n: 0,
      notApplicable: 2,
      accuracy: null,
      interval: null,
      ratio: null,
    });
    const vectors = cells.find((c) => c.method === "vectors");
    expect(vectors).toMatchObject({ n: 0, notApplicable: 2, accuracy: null });
    expect(vectors?.reasons[0]).toMatch(
      /its result is not text \(summaryVectors\); the reader key-reader reads text/,
    );
    const broken = cells.find((c) => c.method === "broken");
    expect(broken).toMatchObject({ n: 0, errors: 2, accuracy: null });
    const head = cells.find((c) => c.method === "head");
    expect(head?.n).toBe(2);
    expect(head?.accuracy).toBe(0.5);
    // Nothing was uncompressed to compare against: speed-up and goals say so.
    expect(head?.speedup).toBeNull();
    const tables = benchTables(records, context.methods);
    expect(tables.goals.every((g) => g.status === "n/a")).toBe(true);
    const report = renderReport(records, tables, context);
    expect(report).toMatch(/\| none \| n\/a \|/);
    expect(report).toMatch(/\| vectors \| n\/a \|/);
    expect(report).toMatch(/\| broken \| error \|/);
    expect(report).toMatch(/\| head \| 50% @ \d+\.\dx \|/);
    expect(report).toMatch(/- none:\n {2}- the uncompressed prompt has/);
  });

  it("answers vector results through the reader's vector path, or reports them n/a for a text-only reader", async () => {
    const summary = {
      modelId: "gist-test",
      summaryTokens: 4,
      hiddenSize: 8,
      contexts: [
        {
          index: 0,
          documentSha256: "0".repeat(64),
          modelId: "gist-test",
          segmentTokens: 64,
          tokens: 300,
          segments: 5,
          vectors: 20,
          computed: true,
        },
      ],
      readerText: "unused",
      ratio: 15,
    };
    const vectorBackend = headBackend({ kind: "vectors", summary });
    const textOnly = tmp();
    await runBenchmark(
      plan({ methods: ["gist"] }),
      testDeps(keyReader(null), vectorBackend),
      textOnly,
    );
    const refused = readResults(textOnly).records;
    expect(refused.map((r) => r.status)).toEqual(["n/a", "n/a"]);
    expect(refused[0]?.reason).toMatch(
      /summary vectors, which only the embedded reader's AutoCompressor reads; the reader key-reader reads text/,
    );

    const read: string[] = [];
    const vectorReader = {
      ...keyReader(null),
      answerFromVectors: async (_: unknown, text: string) => {
        read.push(text);
        return {
          text: " 12345.",
          promptTokens: 0,
          completionTokens: 2,
          finishReason: "stop" as const,
          latencyMs: 7,
        };
      },
    };
    const answered = tmp();
    await runBenchmark(
      plan({ methods: ["gist"] }),
      testDeps(vectorReader, vectorBackend),
      answered,
    );
    const records = readResults(answered).records;
    expect(records.map((r) => r.status)).toEqual(["ok", "ok"]);
    for (const record of records) {
      expect(record.vectors).toEqual({ modelId: "gist-test", count: 20 });
      expect(record.contexts).toEqual([]);
      expect(record.metrics?.retention).toBeNull();
      // 20 vectors + the words of the text read after them.
      const text = read[records.indexOf(record)] as string;
      expect(record.metrics?.reader.compressed).toBe(20 + text.split(/\s+/).filter(Boolean).length);
      expect(text).toMatch(
        /^There is an important info.*\n\nQuestion: What is the pass key\?\nAnswer: The pass key is$/s,
      );
    }
    const [cell] = summarizeCells(records, ["gist"]);
    expect(cell?.retention).toBeNull();
    expect(cell?.n).toBe(2);
  });

  it("scores a compressed prompt that still overflows the reader as 0 without decoding it", async () => {
    const file = tmp();
    const answered: string[] = [];
    // A backend that ignores its target: everything is kept.
    const keepAll = headBackend();
    const ignoring = {
      ...keepAll,
      compress: (input: never, options: never) =>
        keepAll.compress(input, {
          ...(options as object),
          rate: 1,
          targetTokens: undefined,
        } as never),
    };
    await runBenchmark(
      plan({ methods: ["head"] }),
      testDeps(keyReader(100, answered), ignoring),
      file,
    );
    const { records } = readResults(file);
    expect(records.map((r) => r.status)).toEqual(["over-window", "over-window"]);
    expect(records.every((r) => r.metrics?.score === 0 && r.prediction === undefined)).toBe(true);
    expect(records.every((r) => r.budget?.cappedByWindow === true)).toBe(true);
    // A second, scaled target was asked for, and ignored as well.
    expect(records.every((r) => r.budget?.attempts === 2)).toBe(true);
    expect(answered).toEqual([]);
    const [cell] = summarizeCells(records, ["head"]);
    expect(cell).toMatchObject({ n: 2, overWindow: 2, accuracy: 0 });
  });
});

describe("a method that counts its target in another tokenizer", () => {
  it("gets a second, scaled target when its output overflows the reader, and then fits", async () => {
    const file = tmp();
    const head = headBackend();
    const targets: number[] = [];
    // Keeps 30% more than asked, as a method counting in a coarser tokenizer would.
    const overshooting = {
      ...head,
      compress: (input: never, options: { targetTokens?: number }) => {
        if (options.targetTokens !== undefined) targets.push(options.targetTokens);
        return head.compress(input, {
          ...options,
          ...(options.targetTokens !== undefined
            ? { targetTokens: Math.round(options.targetTokens * 1.3) }
            : {}),
        } as never);
      },
    };
    await runBenchmark(
      plan({ methods: ["head"] }),
      testDeps(keyReader(150), overshooting as never),
      file,
    );
    const { records } = readResults(file);
    expect(records.map((r) => [r.status, r.budget?.attempts])).toEqual([
      ["ok", 2],
      ["ok", 2],
    ]);
    for (const record of records) {
      expect(record.metrics?.reader.compressed).toBeLessThanOrEqual(150);
      expect(record.budget?.targetTokens).toBeLessThan(targets[0] as number);
    }
  });
});

describe("cell aggregates", () => {
  it("pools ratios as Σ original ÷ Σ compressed and gives Wilson intervals", async () => {
    const file = tmp();
    await runBenchmark(
      plan({ rates: [0.5, 0.25] }),
      testDeps(keyReader(null), headBackend()),
      file,
    );
    const { records } = readResults(file);
    const cells = summarizeCells(records, ["none", "head"]);
    expect(cells.map((c) => `${c.method} ${c.rate}`)).toEqual(["none 1", "head 0.5", "head 0.25"]);
    for (const cell of cells) {
      const mine = records.filter((r) => r.method === cell.method && r.rate === cell.rate);
      const original = mine.reduce((s, r) => s + (r.metrics?.reader.original ?? 0), 0);
      const compressed = mine.reduce((s, r) => s + (r.metrics?.reader.compressed ?? 0), 0);
      expect(cell.ratio).toBeCloseTo(original / compressed, 10);
      const accuracy = mine.reduce((s, r) => s + (r.metrics?.score ?? 0), 0) / mine.length;
      expect(cell.accuracy).toBe(accuracy);
      expect(cell.interval).toEqual(wilsonInterval(accuracy, mine.length));
      if (cell.method !== "none") {
        expect(cell.speedup).toBeCloseTo((2 * 5) / (2 * (3 + 5)), 10);
      }
    }
  });

  it("Wilson intervals match the textbook values", () => {
    const [low, high] = wilsonInterval(0.5, 10);
    expect(low).toBeCloseTo(0.2366, 3);
    expect(high).toBeCloseTo(0.7634, 3);
    expect(wilsonInterval(0, 5)[0]).toBe(0);
    expect(wilsonInterval(1, 5)[1]).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});
