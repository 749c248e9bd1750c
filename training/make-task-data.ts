/**
 * Dumps generated long-context task samples (bench/tasks) as JSON Lines for the Python trainer:
 *   training/.data/tasks/<set>.jsonl, one {"id","task","prompt","answer","lengthTokens"} per line,
 * where prompt = readerPrompt(sample) and answer = readerCompletion(sample).
 * Train sets draw their haystacks from the train split only; eval sets from the held-out split.
 * Run: npx tsx training/make-task-data.ts [--sets eval-512.jsonl,…] [--out-dir training/.data/tasks]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AutoTokenizer, env } from "@huggingface/transformers";
import type { CorpusSplit } from "../bench/corpus/index.js";
import {
  corpusHaystack,
  FILLER_HAYSTACK,
  type HaystackSource,
  Rng,
  TASK_GENERATORS,
  type TaskName,
  type TaskSample,
  type TokenCounter,
} from "../bench/tasks/index.js";
import { rewordedPasskey } from "./reworded-passkey.js";
import { type PromptLayout, taskDataLine } from "./task-lines.js";

const trainingDir = dirname(fileURLToPath(import.meta.url));

interface TaskSet {
  readonly file: string;
  readonly split: CorpusSplit;
  readonly count: number;
  readonly minTokens: number;
  readonly maxTokens: number;
  /** First seed; sample i uses seed + i. Sets use disjoint seed ranges. */
  readonly seed: number;
  /** Share of samples that are reworded passkeys (training/reworded-passkey.ts); default 0. */
  readonly rewordedShare?: number;
}

/** Lengths leave room for <|endoftext|>, the answer (up to ~40 tokens) and the closing token. */
const SETS: readonly TaskSet[] = [
  {
    file: "train-512.jsonl",
    split: "train",
    count: 6000,
    minTokens: 192,
    maxTokens: 460,
    seed: 1_000_000,
  },
  {
    file: "train-1024.jsonl",
    split: "train",
    count: 3000,
    minTokens: 256,
    maxTokens: 970,
    seed: 2_000_000,
  },
  {
    file: "train-2048.jsonl",
    split: "train",
    count: 4500,
    minTokens: 768,
    maxTokens: 1990,
    seed: 3_000_000,
  },
  {
    file: "train-512-reworded.jsonl",
    split: "train",
    count: 3000,
    minTokens: 192,
    maxTokens: 460,
    seed: 1_500_000,
    rewordedShare: 0.7,
  },
  {
    file: "train-2048-reworded.jsonl",
    split: "train",
    count: 1500,
    minTokens: 768,
    maxTokens: 1990,
    seed: 3_500_000,
    rewordedShare: 0.5,
  },
  {
    file: "eval-512.jsonl",
    split: "heldout",
    count: 200,
    minTokens: 192,
    maxTokens: 460,
    seed: 9_000_000,
  },
  {
    file: "eval-2048.jsonl",
    split: "heldout",
    count: 100,
    minTokens: 768,
    maxTokens: 1990,
    seed: 9_100_000,
  },
];

/** Offsets the seeds of each sample's shape (length, haystack, task) past every generator seed. */
const SAMPLE_SHAPE_STREAM = 0x4000_0000;

const TASK_WEIGHTS: readonly [TaskName, number][] = [
  ["passkey", 0.2],
  ["multi-key", 0.2],
  ["multi-value", 0.1],
  ["variable-tracking", 0.1],
  ["doc-qa", 0.4],
];

function pickTask(rng: Rng): TaskName {
  let r = rng.next();
  for (const [task, weight] of TASK_WEIGHTS) {
    r -= weight;
    if (r < 0) return task;
  }
  return "doc-qa";
}

/**
 * The haystack with a share of its words deleted at random: the reader will mostly read
 * compressed contexts, so some training contexts look like them (needles stay intact).
 */
function dropWords(source: HaystackSource, rate: number, seed: number): HaystackSource {
  const rng = new Rng(seed);
  const paragraphs = source.paragraphs.map((p) =>
    p
      .split(" ")
      .filter(() => rng.next() >= rate)
      .join(" "),
  );
  return { name: `${source.name}-drop${rate}`, paragraphs: paragraphs.filter((p) => p !== "") };
}

/** Stream of each train sample's prompt layout, apart from its shape and its answers. */
const LAYOUT_STREAM = 0x2000_0000;

/**
 * Train sets lay half their prompts out as the pipeline does (the question verbatim, then
 * "Answer:") and half as the benchmarks' reader prompt; evaluation sets keep the reader layout,
 * which the benchmarks and training/evaluate.ts measure.
 */
function layoutFor(set: TaskSet, index: number): PromptLayout {
  if (set.split !== "train") return "reader";
  return new Rng(set.seed + index + LAYOUT_STREAM).next() < 0.5 ? "pipeline" : "reader";
}

function sampleFor(
  set: TaskSet,
  index: number,
  haystacks: readonly HaystackSource[],
  countTokens: TokenCounter,
): TaskSample {
  const seed = set.seed + index;
  // The generator draws its answers from Rng(seed); the choices made here must come from another
  // stream. With both on Rng(seed), the first draws matched: the passkey's leading digit rose with
  // lengthTokens, so a model could read the key off the prompt length (see docs/TRAINING-PROBES.md).
  const rng = new Rng(seed + SAMPLE_SHAPE_STREAM);
  const lengthTokens = rng.int(set.minTokens, set.maxTokens);
  const roll = rng.next();
  // 70% plain corpus text, 20% corpus text with words dropped, 10% the repeated passkey filler.
  const haystack = (
    roll < 0.7 ? haystacks[0] : roll < 0.9 ? rng.pick(haystacks.slice(1)) : FILLER_HAYSTACK
  ) as HaystackSource;
  const base = { seed, lengthTokens, countTokens, haystack };
  // Drawn only where a set asks, so that the other sets' samples stay as they were.
  if (set.rewordedShare !== undefined && rng.next() < set.rewordedShare) {
    return rewordedPasskey({ ...base, depth: rng.next() });
  }
  const task = pickTask(rng);
  // Each needle costs ~20 tokens and the fixed text ~100: short samples get fewer needles.
  const needles = (most: number) =>
    rng.int(2, Math.max(2, Math.min(most, Math.floor((lengthTokens - 100) / 25))));
  switch (task) {
    case "passkey":
      return TASK_GENERATORS.passkey({ ...base, depth: rng.next() });
    case "multi-key":
      return TASK_GENERATORS["multi-key"]({ ...base, depth: rng.next(), keys: needles(6) });
    case "multi-value":
      return TASK_GENERATORS["multi-value"]({ ...base, values: needles(4) });
    case "variable-tracking": {
      // Each statement costs ~13 tokens (random upper-case names tokenize letter by letter).
      const chains = lengthTokens < 400 ? 1 : rng.int(1, 2);
      const hops = rng.int(
        1,
        Math.max(1, Math.min(4, Math.floor((lengthTokens - 110) / (13 * chains)) - 1)),
      );
      return TASK_GENERATORS["variable-tracking"]({ ...base, hops, chains });
    }
    case "doc-qa": {
      // ~120 tokens of instruction and question, then at least ~45 tokens per document, so that
      // each still holds some text beside its title and fact.
      const most = Math.max(2, Math.min(20, Math.floor((lengthTokens - 120) / 45)));
      const documents = rng.int(2, most);
      return TASK_GENERATORS["doc-qa"]({ ...base, documents, position: rng.int(1, documents) });
    }
  }
}

async function main(): Promise<void> {
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained(
    resolve(trainingDir, "../models/_tokenizer"),
  );
  const countTokens: TokenCounter = (text) =>
    tokenizer.encode(text, { add_special_tokens: false }).length;
  const { values } = parseArgs({
    options: { sets: { type: "string" }, "out-dir": { type: "string" } },
  });
  const wanted = values.sets?.split(",");
  const unknown = wanted?.filter((file) => !SETS.some((set) => set.file === file)) ?? [];
  if (unknown.length > 0) throw new RangeError(`--sets: unknown set(s) ${unknown.join(", ")}`);
  const outDir = resolve(values["out-dir"] ?? join(trainingDir, ".data", "tasks"));
  mkdirSync(outDir, { recursive: true });
  const haystacksBySplit = new Map<CorpusSplit, HaystackSource[]>();
  for (const set of SETS.filter((candidate) => wanted?.includes(candidate.file) ?? true)) {
    let haystacks = haystacksBySplit.get(set.split);
    if (!haystacks) {
      const plain = corpusHaystack(set.split);
      haystacks = [plain, dropWords(plain, 0.3, 1), dropWords(plain, 0.5, 2)];
      haystacksBySplit.set(set.split, haystacks);
    }
    const started = performance.now();
    const lines: string[] = [];
    for (let i = 0; i < set.count; i++) {
      lines.push(taskDataLine(sampleFor(set, i, haystacks, countTokens), layoutFor(set, i)));
    }
    writeFileSync(join(outDir, set.file), `${lines.join("\n")}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${set.file}: ${set.count} samples from the ${set.split} split in ${seconds}s`);
  }
}

await main();
