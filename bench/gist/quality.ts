/**
 * Gist (AutoCompressor) quality on HELD-OUT text, the acceptance numbers of issue 7:
 *
 * 1. The paper's core result: perplexity of segment 2 given nothing, given the summary vectors
 *    of segment 1, and given segment 1 in full (all read by the AutoCompressor), next to the base
 *    model's perplexity (`--scorer`, ctxpress-5m: what extending it cost) with nothing and with
 *    segment 1.
 * 2. Answer accuracy on generated tasks (passkey, multi-key "key-value" retrieval with 4 keys,
 *    20-document QA) at each length: the AutoCompressor reading the document's summary vectors,
 *    against `--reader` (the embedded decoder, ctxpress-reader, by default: what the product
 *    answers text with) reading the full text (where it fits its window), LLMLingua and head
 *    truncation at the same compression ratio (context tokens ÷ summary vectors of that very
 *    sample), all read by `--reader`, and the AutoCompressor reading the full text.
 *
 *   npx tsx bench/gist/quality.ts [--gist models/gist-5m] [--gist-dtype q8|fp32] [--reader DIR]
 *     [--scorer DIR]
 *     [--lengths 2048,4096,8192,16384] [--samples 8] [--windows 64] [--segment N]
 *     [--threads 1] [--no-accuracy] [--no-perplexity] [--json out.json]
 *
 * Every method sees the same input: the task's contexts joined as one document. Counts are in
 * the project's BPE (all models share it). Seeds are disjoint from every training set.
 */

import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadDocuments } from "../../bench/corpus/index.js";
import { runCompression } from "../../src/compressors/index.js";
import {
  DEFAULT_DECODER_MODEL,
  DEFAULT_GIST_MODEL,
  DEFAULT_SCORER_MODEL,
} from "../../src/model/defaults.js";
import { createModels } from "../../src/model/models.js";
import type { Decoder } from "../../src/model/types.js";
import { readSoftPrompt } from "../../src/pipeline/gist-answer.js";
import { SummaryVectorCache } from "../../src/store/summary-vector-cache.js";
import {
  corpusHaystack,
  docQa,
  multiKey,
  passkey,
  readerPrompt,
  scoreSample,
  type TaskSample,
} from "../tasks/index.js";
import { gistReaderText } from "./reader-text.js";

const { values: args } = parseArgs({
  options: {
    gist: { type: "string", default: DEFAULT_GIST_MODEL },
    // Default: the folder's own (gist-5m: q8, the only graphs it ships); fp32 where exported.
    "gist-dtype": { type: "string" },
    reader: { type: "string", default: DEFAULT_DECODER_MODEL },
    scorer: { type: "string", default: DEFAULT_SCORER_MODEL },
    lengths: { type: "string", default: "2048,4096,8192,16384" },
    samples: { type: "string", default: "8" },
    windows: { type: "string", default: "64" },
    segment: { type: "string" },
    threads: { type: "string", default: "1" },
    "no-accuracy": { type: "boolean", default: false },
    "no-perplexity": { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const threads = Number(args.threads);
const onnx = (model: string) => ({ type: "onnx" as const, model: path.resolve(model), threads });
const gistDtype = args["gist-dtype"] as "q8" | "fp32" | undefined;
const gistModel = { ...onnx(args.gist), ...(gistDtype ? { dtype: gistDtype } : {}) };
const models = createModels({
  gist: gistModel,
  decoder: onnx(args.reader),
  scorer: onnx(args.scorer),
});
const gist = await models.summaryCompressor();
const reader = await models.decoder();
// The AutoCompressor's reader graph as a plain text decoder (BOS first, no vectors).
const gistAsText = createModels({ decoder: gistModel });
const gistReader = await gistAsText.decoder();
const segmentTokens = args.segment ? Number(args.segment) : gist.segmentTokens;
const tokenizer = gist.tokenizer;
const bos = tokenizer.bosTokenId ?? 0;
const results: Record<string, unknown> = {
  gist: gist.modelId,
  reader: reader.modelId,
  segmentTokens,
  summaryTokens: gist.summaryTokens,
  machine: { cpus: cpus().length, loadavg: loadavg().map((x) => Number(x.toFixed(2))) },
};
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

console.log(
  `gist ${gist.modelId} (dtype ${gistDtype ?? "of its config.json"}, κ=${gist.summaryTokens}, segments of ${segmentTokens} tokens), reader ${reader.modelId}, ${threads} thread(s), load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
);

// --- 1. Perplexity of segment 2 -----------------------------------------------------------
/** Summed NLL of `logprobs` entries [from, end), skipping nothing else. */
function nll(logprobs: Float32Array, from: number): number {
  let sum = 0;
  for (let i = from; i < logprobs.length; i++) sum -= logprobs[i] ?? 0;
  return sum;
}

/** Held-out windows of two segments, one per document, documents spread over the split. */
function heldOutWindows(count: number, length: number): { first: number[]; second: number[] }[] {
  const documents = loadDocuments("heldout");
  const windows: { first: number[]; second: number[] }[] = [];
  for (let i = 0; i < documents.length && windows.length < count; i++) {
    const ids = tokenizer.encode(documents[Math.floor((i * 7919) % documents.length)]?.text ?? "");
    if (ids.length < 2 * length) continue;
    const start = Math.floor((ids.length - 2 * length) / 2);
    windows.push({
      first: ids.slice(start, start + length),
      second: ids.slice(start + length, start + 2 * length),
    });
  }
  return windows;
}

async function perplexities(): Promise<void> {
  const windows = heldOutWindows(Number(args.windows), segmentTokens);
  const sums = { none: 0, gist: 0, full: 0, baseNone: 0, baseFull: 0 };
  let scored = 0;
  const scorer = await models.scorer();
  const started = performance.now();
  for (const { first, second } of windows) {
    // Segment 2's first token is left out everywhere: after vectors nothing predicts it.
    const none = await gist.logprobs(new Float32Array(0), [bos, ...second]);
    sums.none += nll(none, 2);
    const vectors = await gist.summarize([bos, ...first], new Float32Array(0));
    sums.gist += nll(await gist.logprobs(vectors, second), 1);
    const full = await gist.logprobs(new Float32Array(0), [bos, ...first, ...second]);
    sums.full += nll(full, first.length + 2);
    // The base reader (BOS added by the scorer): what the AutoCompressor's training cost it.
    sums.baseNone += nll(await scorer.logprobs({ tokens: second }), 1);
    sums.baseFull += nll(await scorer.logprobs({ tokens: second, condition: first }), 1);
    scored += second.length - 1;
  }
  const ppl = Object.fromEntries(
    Object.entries(sums).map(([key, value]) => [key, Math.exp(value / scored)]),
  ) as Record<keyof typeof sums, number>;
  results.perplexity = { windows: windows.length, segmentTokens, scoredTokens: scored, ...ppl };
  console.log(
    `\n## Perplexity of segment 2 (${windows.length} held-out windows of 2 × ${segmentTokens} tokens, ${scored} tokens scored, ${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  console.log(`| context | AutoCompressor | base reader (${scorer.modelId.split("/").at(-1)}) |`);
  console.log("|---|---:|---:|");
  console.log(`| nothing | ${ppl.none.toFixed(2)} | ${ppl.baseNone.toFixed(2)} |`);
  console.log(
    `| ${gist.summaryTokens} summary vectors of segment 1 | ${ppl.gist.toFixed(2)} | — |`,
  );
  console.log(
    `| segment 1 in full (${segmentTokens} tokens) | ${ppl.full.toFixed(2)} | ${ppl.baseFull.toFixed(2)} |`,
  );
}

// --- 2. Answer accuracy -------------------------------------------------------------------
const MAX_NEW_TOKENS = 24;
const SEED = 77_000_000;
const countTokens = (text: string) => tokenizer.encode(text).length;
const haystack = corpusHaystack("heldout");
type Task = "passkey" | "multi-key" | "doc-qa";
const TASKS: readonly Task[] = ["passkey", "multi-key", "doc-qa"];

function sampleFor(task: Task, lengthTokens: number, index: number): TaskSample {
  const seed = SEED + lengthTokens * 10 + index;
  const base = { seed, lengthTokens, countTokens, haystack };
  const depth = [0.1, 0.3, 0.5, 0.7, 0.9][index % 5] ?? 0.5;
  switch (task) {
    case "passkey":
      return passkey({ ...base, depth });
    case "multi-key":
      return multiKey({ ...base, depth, keys: 4 });
    case "doc-qa":
      return docQa({ ...base, documents: 20, position: [1, 5, 10, 15, 20][index % 5] ?? 1 });
  }
}

/**
 * bench/corpus keeps C1 control characters (U+0080–U+009F: cp1252 punctuation in a few
 * nlp-corpus documents) that runCompression() refuses as input; every method gets the text without them.
 */
function withoutC1Controls(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, "");
}

async function readText(decoder: Decoder, sample: TaskSample, contexts: string[]) {
  const prompt = readerPrompt({ ...sample, contexts });
  if (countTokens(prompt) + 1 + MAX_NEW_TOKENS > (decoder.contextWindow ?? Infinity)) return null;
  const output = await decoder.generate(prompt, { maxNewTokens: MAX_NEW_TOKENS, stop: ["\n"] });
  return scoreSample(sample, output.text);
}

interface Cell {
  scores: number[];
  ratios: number[];
  skipped: number;
}
const cells = new Map<string, Cell>();
const record = (key: string, score: number | null, ratio: number) => {
  const cell = cells.get(key) ?? { scores: [], ratios: [], skipped: 0 };
  if (score === null) cell.skipped++;
  else cell.scores.push(score);
  cell.ratios.push(ratio);
  cells.set(key, cell);
};
const METHODS = ["gist", "full text", "llmlingua", "truncate", "gist model, full text"] as const;

async function accuracy(): Promise<void> {
  const lengths = args.lengths.split(",").map(Number);
  const samples = Number(args.samples);
  const started = performance.now();
  let gistMs = 0;
  let gistSegments = 0;
  for (const lengthTokens of lengths) {
    for (const task of TASKS) {
      for (let i = 0; i < samples; i++) {
        const sample = sampleFor(task, lengthTokens, i);
        const document = withoutC1Controls(sample.contexts.join("\n\n"));
        // Gist: vectors of the document, then the question read after them.
        const summaryVectors = new SummaryVectorCache();
        const compressed = await runCompression(
          { contexts: [document] },
          { method: "gist", segmentTokens },
          { models, summaryVectors },
        );
        const summary = compressed.summary;
        if (summary === undefined) throw new Error("gist returned no summary");
        gistMs += compressed.stats.timingsMs.summarize ?? 0;
        gistSegments += summary.contexts.reduce((sum, c) => sum + c.segments, 0);
        const softprompt = await readSoftPrompt(summary, summaryVectors);
        const answer = await gist.generate(softprompt, gistReaderText(sample), {
          maxNewTokens: MAX_NEW_TOKENS,
          stop: ["\n"],
        });
        const ratio = summary.ratio;
        const key = (method: string) => `${lengthTokens}|${task}|${method}`;
        record(key("gist"), scoreSample(sample, answer.text), ratio);
        record(key("full text"), await readText(reader, sample, [document]), 1);
        record(key("gist model, full text"), await readText(gistReader, sample, [document]), 1);
        // Text methods at the same ratio, over the same document.
        for (const method of ["llmlingua", "truncate"] as const) {
          const kept = await runCompression(
            { contexts: [document] },
            { method, rate: 1 / ratio },
            { models },
          );
          const text = kept.contexts.map((c) => c.text);
          record(key(method), await readText(reader, sample, text), kept.stats.counts.ratio);
        }
      }
      const gistCell = cells.get(`${lengthTokens}|${task}|gist`);
      process.stderr.write(
        `  ${lengthTokens} ${task}: gist ${pct(mean(gistCell?.scores ?? []))} at ${mean(gistCell?.ratios ?? []).toFixed(1)}x (${((performance.now() - started) / 1000).toFixed(0)} s so far)\n`,
      );
    }
  }
  const table: Record<string, Record<string, unknown>> = {};
  console.log(
    `\n## Answer accuracy (${samples} samples per cell, held-out haystacks; cell: accuracy (ratio); n/a = prompt longer than the reader's window)`,
  );
  console.log(`| length | task | ${METHODS.join(" | ")} |`);
  console.log(`|---|---|${METHODS.map(() => "---:").join("|")}|`);
  for (const lengthTokens of lengths) {
    for (const task of [...TASKS, "all"] as const) {
      const row: Record<string, unknown> = {};
      const columns = METHODS.map((method) => {
        const parts = (task === "all" ? TASKS : [task]).map((t) =>
          cells.get(`${lengthTokens}|${t}|${method}`),
        );
        const scores = parts.flatMap((p) => p?.scores ?? []);
        const ratios = parts.flatMap((p) => p?.ratios ?? []);
        row[method] = {
          accuracy: scores.length ? mean(scores) : null,
          ratio: mean(ratios),
          n: scores.length,
        };
        if (scores.length === 0) return "n/a";
        const ratio = method.includes("full text") ? "" : ` (${mean(ratios).toFixed(1)}x)`;
        return `${pct(mean(scores))}${ratio}`;
      });
      table[`${lengthTokens} ${task}`] = row;
      console.log(`| ${lengthTokens} | ${task} | ${columns.join(" | ")} |`);
    }
  }
  results.accuracy = table;
  results.gistSpeed = {
    segments: gistSegments,
    msPerSegment: gistMs / Math.max(1, gistSegments),
  };
  console.log(
    `\ngist compression: ${gistSegments} segments in ${(gistMs / 1000).toFixed(1)} s (${(gistMs / Math.max(1, gistSegments)).toFixed(0)} ms per segment, accumulation included); whole run ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

if (!args["no-perplexity"]) await perplexities();
if (!args["no-accuracy"]) await accuracy();
if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
await models.dispose();
await gistAsText.dispose();
