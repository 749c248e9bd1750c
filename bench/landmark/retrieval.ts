/**
 * Landmark retrieval quality and latency on generated tasks over HELD-OUT haystack text:
 * recall@k of the block holding the answer for landmark vectors (the shipped embedder), landmark
 * vectors fused with BM25 (`lexicalWeight`, --lexical-weight), BM25 and a random ranking, on
 * the same blocks; then, in the same run, the time to index a ~100K-token
 * document and the time per question on it, against LongLLMLingua on the same document.
 *
 *   npx tsx bench/landmark/retrieval.ts [--lengths 8192,32768,131072] [--samples 5]
 *     [--block-tokens 64] [--sweep 32,64,128] [--sweep-lengths 8192,32768] [--no-latency]
 *     [--latency-tokens 100000] [--lexical-weight 0.5[,1,2…]] [--seed-base 70000000]
 *     [--embedder DIR] (default: the shipped models/landmark-embedder)
 *
 * --lexical-weight: the first weight is the "hybrid" column; every weight gets a summary line
 * (choose weights on other seeds than the ones reported: --seed-base).
 *
 * Tasks: passkey (needle depths spread over the document), multi-key (4 needles, the queried one
 * at spread depths), 20-document QA with the answer document at positions 1, 5, 10, 15, 20.
 * Random recall is the exact expectation 1 − C(n−g, k)/C(n, k) for n blocks of which g hold the
 * answer. Counts and lengths are in the embedder's tokenizer (the project's BPE).
 */

import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runCompression } from "../../src/compressors/index.js";
import { dotScores } from "../../src/compressors/landmark/landmark.js";
import { buildLandmarkIndex } from "../../src/compressors/landmark/landmark-index.js";
import { fuseLexical } from "../../src/compressors/landmark/lexical-scores.js";
import { rankBlocks, type ScoredBlock } from "../../src/compressors/landmark/selection.js";
import { bm25Scores } from "../../src/compressors/rankers/bm25.js";
import { createModels } from "../../src/model/models.js";
import type { Embedder } from "../../src/model/types.js";
import { splitIntoContexts } from "../../src/sdk/chunk.js";
import { LandmarkIndexCache } from "../../src/store/landmark-index-cache.js";
import { corpusHaystack, docQa, multiKey, passkey, type TaskSample } from "../tasks/index.js";
import { answerLocations, type BlockedSample, blockSample, blocksOverlapping } from "./gold.js";

const { values: args } = parseArgs({
  options: {
    lengths: { type: "string", default: "8192,32768,131072" },
    samples: { type: "string", default: "5" },
    "block-tokens": { type: "string", default: "64" },
    sweep: { type: "string", default: "32,64,128" },
    "sweep-lengths": { type: "string", default: "8192,32768" },
    "no-latency": { type: "boolean", default: false },
    "latency-tokens": { type: "string", default: "100000" },
    threads: { type: "string", default: "1" },
    "lexical-weight": { type: "string", default: "0.5" },
    "seed-base": { type: "string", default: "70000000" },
    embedder: { type: "string" },
  },
});
const numbers = (text: string) => text.split(",").filter(Boolean).map(Number);
const KS = [1, 4, 8];
const SPREAD = [0.1, 0.3, 0.5, 0.7, 0.9];
const POSITIONS = [1, 5, 10, 15, 20];
type Task = "passkey" | "multi-key" | "doc-qa";
const TASKS: readonly Task[] = ["passkey", "multi-key", "doc-qa"];
const LEXICAL_WEIGHTS = numbers(args["lexical-weight"]);
/** Rankers with recall columns; `hybrid@w` for every weight (the first is "hybrid"). */
type Ranker = string;
const RANKERS: readonly Ranker[] = ["landmark", "hybrid", "bm25", "random"];
const WEIGHTED: readonly Ranker[] = LEXICAL_WEIGHTS.map((w) => `hybrid@${w}`);

const models = createModels({
  embedder: {
    type: "onnx",
    threads: Number(args.threads),
    ...(args.embedder ? { model: args.embedder } : {}),
  },
  scorer: { type: "onnx", threads: Number(args.threads) },
});
const embedder = await models.embedder();
const countTokens = (text: string) => embedder.tokenizer.encode(text).length;
const haystack = corpusHaystack("heldout");

function sampleFor(task: Task, lengthTokens: number, index: number): TaskSample {
  const seed = Number(args["seed-base"]) + lengthTokens + index;
  const base = { seed, lengthTokens, countTokens, haystack };
  const depth = SPREAD[index % SPREAD.length] ?? 0.5;
  switch (task) {
    case "passkey":
      return passkey({ ...base, depth });
    case "multi-key":
      return multiKey({ ...base, depth, keys: 4 });
    case "doc-qa":
      return docQa({ ...base, documents: 20, position: POSITIONS[index % POSITIONS.length] ?? 1 });
  }
}

/** C(n−g, k)/C(n, k) as a running product: the chance that k random blocks all miss. */
function randomRecall(blocks: number, gold: number, k: number): number {
  let miss = 1;
  for (let i = 0; i < Math.min(k, blocks); i++)
    miss *= Math.max(0, blocks - gold - i) / (blocks - i);
  return 1 - miss;
}

async function landmarkScores(sample: TaskSample, embedder: Embedder, blockTokens: number) {
  const started = performance.now();
  const indexes = [];
  for (const text of sample.contexts)
    indexes.push(await buildLandmarkIndex({ text, blockTokens, embedder }));
  const indexMs = performance.now() - started;
  const [query] = await embedder.embed([sample.question]);
  const scores = indexes.flatMap((index) =>
    Array.from(dotScores(index.vectors, index.dimensions, query ?? new Float32Array(0))),
  );
  return { scores, indexMs, blocks: indexes.reduce((sum, index) => sum + index.blocks.length, 0) };
}

function recallAt(
  blocked: BlockedSample,
  scores: readonly number[],
  gold: ReadonlySet<number>,
  k: number,
) {
  const ranked: ScoredBlock[] = blocked.blocks.map(({ context, block }, index) => ({
    context,
    id: block.id,
    tokens: block.tokenCount,
    score: scores[index] ?? Number.NaN,
  }));
  return rankBlocks(ranked)
    .slice(0, k)
    .some((index) => gold.has(index))
    ? 1
    : 0;
}

interface Row {
  task: Task;
  length: number;
  blockTokens: number;
  recall: Record<Ranker, number[]>;
  blocks: number;
  tokens: number;
  indexMs: number;
  samples: number;
}

async function evaluate(
  task: Task,
  length: number,
  blockTokens: number,
  count: number,
): Promise<Row> {
  const recall: Record<Ranker, number[]> = Object.fromEntries(
    [...RANKERS, ...WEIGHTED].map((ranker) => [ranker, KS.map(() => 0)]),
  );
  let blocks = 0;
  let tokens = 0;
  let indexMs = 0;
  for (let i = 0; i < count; i++) {
    const sample = sampleFor(task, length, i);
    const blocked = blockSample(sample, embedder.tokenizer, blockTokens);
    const gold = new Set(blocksOverlapping(blocked.blocks, answerLocations(sample)));
    const landmark = await landmarkScores(sample, embedder, blockTokens);
    if (landmark.blocks !== blocked.blocks.length) throw new Error("index and bench blocks differ");
    const texts = blocked.blocks.map(({ context, block }) =>
      (sample.contexts[context] ?? "").slice(block.start, block.end),
    );
    const bm25 = bm25Scores(texts, sample.question);
    const fused = LEXICAL_WEIGHTS.map((w) =>
      Array.from(fuseLexical([landmark.scores], [bm25], w)[0] ?? []),
    );
    const scoresOf: Record<Ranker, readonly number[]> = {
      landmark: landmark.scores,
      hybrid: fused[0] ?? [],
      bm25,
      ...Object.fromEntries(WEIGHTED.map((ranker, w) => [ranker, fused[w] ?? []])),
    };
    KS.forEach((k, j) => {
      for (const [ranker, scores] of Object.entries(scoresOf)) {
        (recall[ranker] as number[])[j] =
          (recall[ranker]?.[j] ?? 0) + recallAt(blocked, scores, gold, k);
      }
      (recall.random as number[])[j] =
        (recall.random?.[j] ?? 0) + randomRecall(blocked.blocks.length, gold.size, k);
    });
    blocks += blocked.blocks.length;
    tokens += sample.meta.lengthTokens;
    indexMs += landmark.indexMs;
  }
  for (const [ranker, hits] of Object.entries(recall)) recall[ranker] = hits.map((h) => h / count);
  return {
    task,
    length,
    blockTokens,
    recall,
    blocks: blocks / count,
    tokens: tokens / count,
    indexMs: indexMs / count,
    samples: count,
  };
}

function printRows(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}\n`);
  const header = [
    "task",
    "tokens",
    "block",
    "blocks",
    ...RANKERS.flatMap((r) => KS.map((k) => `${r} R@${k}`)),
    "index s",
  ];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const row of rows) {
    const cells = [
      row.task,
      String(Math.round(row.tokens)),
      String(row.blockTokens),
      String(Math.round(row.blocks)),
      ...RANKERS.flatMap((r) => (row.recall[r] ?? []).map((v) => v.toFixed(2))),
      (row.indexMs / 1000).toFixed(2),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
}

const samples = Number(args.samples);
const blockTokens = Number(args["block-tokens"]);
console.log(
  `embedder ${embedder.modelId} (${embedder.dimensions}-d), ${samples} samples per task and length, ONNX threads ${args.threads}; ${cpus().length} CPUs, load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(" ")}`,
);

const main: Row[] = [];
for (const length of numbers(args.lengths)) {
  for (const task of TASKS) main.push(await evaluate(task, length, blockTokens, samples));
  printRows(
    `recall at ${length} tokens (block ${blockTokens})`,
    main.filter((row) => row.length === length),
  );
}
printRows("recall, all lengths", main);
const mean = (rows: readonly Row[], ranker: Ranker, k: number) =>
  rows.reduce((sum, row) => sum + (row.recall[ranker]?.[KS.indexOf(k)] ?? 0), 0) /
  Math.max(1, rows.length);
for (const length of numbers(args.lengths)) {
  const rows = main.filter((row) => row.length === length);
  console.log(
    `${length} tokens, mean over tasks: ${RANKERS.map((r) => `${r} R@4 ${mean(rows, r, 4).toFixed(3)}`).join(", ")}`,
  );
  const doc = rows.filter((row) => row.task === "doc-qa");
  console.log(
    `  by lexical weight: ${WEIGHTED.map((r) => `${r} R@1 ${mean(rows, r, 1).toFixed(3)} R@4 ${mean(rows, r, 4).toFixed(3)} (doc-qa R@4 ${mean(doc, r, 4).toFixed(3)})`).join("; ")}`,
  );
}

// Rows of the main block size at the sweep's lengths are reused, not measured again.
const sweep: Row[] = [];
for (const size of numbers(args.sweep)) {
  for (const length of numbers(args["sweep-lengths"])) {
    for (const task of TASKS) {
      const measured = main.find(
        (row) => row.blockTokens === size && row.length === length && row.task === task,
      );
      sweep.push(measured ?? (await evaluate(task, length, size, samples)));
    }
  }
}
if (sweep.length > 0) {
  printRows("block-size sweep", sweep);
  for (const size of numbers(args.sweep)) {
    const rows = sweep.filter((row) => row.blockTokens === size);
    console.log(
      `block ${size} (${4 * size} tokens to the reader at k=4): ${RANKERS.map((r) => `${r} R@4 ${mean(rows, r, 4).toFixed(3)}`).join(", ")}, index ${((rows.reduce((s, r) => s + r.indexMs / r.tokens, 0) / rows.length) * 1000).toFixed(2)} ms per 1K tokens`,
    );
  }
}

function describeStages(timings: Record<string, number>): string {
  return Object.entries(timings)
    .map(([stage, ms]) => `${stage} ${ms.toFixed(1)}`)
    .join(", ");
}

if (!args["no-latency"]) {
  // One ~100K-token document: index it once, then ask questions; LongLLMLingua on the same text.
  const sample = passkey({
    seed: 71_000_000,
    lengthTokens: Number(args["latency-tokens"]),
    countTokens,
    haystack,
    depth: 0.6,
  });
  const text = sample.contexts[0] ?? "";
  const indexes = new LandmarkIndexCache();
  const env = { models, landmarkIndexes: indexes };
  const started = performance.now();
  const { index } = await indexes.index({ text, blockTokens, embedder });
  const indexMs = performance.now() - started;
  const questions = [
    sample.question,
    "What did the committee decide?",
    "Who wrote the letter?",
    "Where was the ship?",
    "What is the pass key?",
  ];
  const perQuestion: number[] = [];
  const stages: string[] = [];
  for (const question of questions) {
    const result = await runCompression(
      { contexts: [text], question },
      { method: "landmark", topK: 4 },
      env,
    );
    perQuestion.push(result.stats.totalMs);
    stages.push(describeStages(result.stats.timingsMs));
  }
  const contexts = splitIntoContexts(text, 2000);
  const target = 4 * blockTokens + countTokens(sample.question) + 2;
  const scorer = await models.scorer();
  const long = await runCompression(
    { contexts, question: sample.question },
    { method: "longllmlingua", targetTokens: target },
    { models },
  );
  const twoStage = await runCompression(
    { contexts: [text], question: sample.question },
    { method: "landmark+longllmlingua", targetTokens: target },
    env,
  );
  const median = [...perQuestion].sort((a, b) => a - b)[Math.floor(perQuestion.length / 2)] ?? 0;
  console.log(
    `\nlatency on one document of ${countTokens(text)} tokens (${index.blocks.length} blocks of ${blockTokens})`,
  );
  console.log(
    `index build: ${(indexMs / 1000).toFixed(2)} s (${((indexMs / countTokens(text)) * 1000).toFixed(2)} ms per 1K tokens)`,
  );
  console.log(
    `landmark per question (indexed): ${perQuestion.map((ms) => ms.toFixed(1)).join(", ")} ms (median ${median.toFixed(1)} ms)`,
  );
  console.log(`  stages of the last question (ms): ${stages.at(-1)}`);
  console.log(
    `landmark+longllmlingua to ${target} tokens (indexed): ${(twoStage.stats.totalMs / 1000).toFixed(2)} s, kept the needle: ${twoStage.prompt.includes(sample.answers[0] ?? "?")}`,
  );
  console.log(
    `longllmlingua to ${target} tokens (${contexts.length} contexts, scorer ${scorer.modelId}): ${(long.stats.totalMs / 1000).toFixed(2)} s, kept the needle: ${long.prompt.includes(sample.answers[0] ?? "?")}`,
  );
  console.log(`  stages (ms): ${describeStages(long.stats.timingsMs)}`);
  console.log(
    `speed-up per question once indexed: ${(long.stats.totalMs / median).toFixed(0)}x; landmark kept the needle: ${(await runCompression({ contexts: [text], question: sample.question }, { method: "landmark", topK: 4 }, env)).prompt.includes(sample.answers[0] ?? "?")}`,
  );
}
await models.dispose();
