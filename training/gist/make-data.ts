/**
 * QA data of the AutoCompressor (bench/tasks generators), as JSON Lines for training/gist:
 *   training/.data/gist/<set>.jsonl, one {"id","task","context","tail","answer"} per line:
 * `context` is the document that gets compressed (the task's contexts joined by blank lines),
 * `tail` what the reader reads after the summary vectors (gistReaderText), `answer` the
 * completion (readerCompletion). Train sets draw haystacks from the train split, eval sets from
 * the held-out split, with seed ranges no other set uses.
 * Run: npx tsx training/gist/make-data.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AutoTokenizer, env } from "@huggingface/transformers";
import type { CorpusSplit } from "../../bench/corpus/index.js";
import { gistReaderText } from "../../bench/gist/reader-text.js";
import {
  corpusHaystack,
  docQa,
  FILLER_HAYSTACK,
  type HaystackSource,
  multiKey,
  multiValue,
  passkey,
  Rng,
  readerCompletion,
  type TaskSample,
  type TokenCounter,
} from "../../bench/tasks/index.js";

const trainingDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface QaSet {
  readonly file: string;
  readonly split: CorpusSplit;
  readonly count: number;
  readonly seed: number;
}

const SETS: readonly QaSet[] = [
  { file: "train.jsonl", split: "train", count: 12_000, seed: 23_000_000 },
  { file: "eval.jsonl", split: "heldout", count: 240, seed: 23_900_000 },
];

/** Prompt lengths (whole reader prompt, tokens): log-uniform, so short and long both occur. */
const MIN_TOKENS = 160;
const MAX_TOKENS = 2400;

function sampleFor(seed: number, haystacks: readonly HaystackSource[], count: TokenCounter) {
  const rng = new Rng(seed);
  const lengthTokens = Math.round(MIN_TOKENS * (MAX_TOKENS / MIN_TOKENS) ** rng.next());
  // 85% running corpus text, 15% the repeated passkey filler.
  const haystack = (rng.next() < 0.85 ? haystacks[0] : FILLER_HAYSTACK) as HaystackSource;
  const base = { seed, lengthTokens, countTokens: count, haystack };
  const roll = rng.next();
  if (roll < 0.3) return passkey({ ...base, depth: rng.next() });
  if (roll < 0.6) {
    // A curriculum inside the data: one needle as often as several.
    const keys =
      rng.next() < 0.5 ? 1 : rng.int(2, Math.max(2, Math.min(6, Math.floor(lengthTokens / 120))));
    return multiKey({ ...base, depth: rng.next(), keys });
  }
  if (roll < 0.7) return multiValue({ ...base, values: rng.int(2, lengthTokens < 400 ? 2 : 4) });
  // Titles, facts and the longer instruction need room: at least ~45 tokens per document.
  const qaTokens = Math.max(lengthTokens, 320);
  const documents = rng.int(2, Math.max(2, Math.min(20, Math.floor((qaTokens - 120) / 45))));
  return docQa({ ...base, lengthTokens: qaTokens, documents, position: rng.int(1, documents) });
}

function line(sample: TaskSample): string {
  return JSON.stringify({
    id: sample.id,
    task: sample.task,
    context: sample.contexts.join("\n\n"),
    tail: gistReaderText(sample),
    answer: readerCompletion(sample),
  });
}

async function main(): Promise<void> {
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained(join(trainingDir, "../models/_tokenizer"));
  const count: TokenCounter = (text) =>
    tokenizer.encode(text, { add_special_tokens: false }).length;
  const outDir = join(trainingDir, ".data", "gist");
  mkdirSync(outDir, { recursive: true });
  for (const set of SETS) {
    const started = performance.now();
    const haystacks = [corpusHaystack(set.split)];
    const lines = Array.from({ length: set.count }, (_, i) =>
      line(sampleFor(set.seed + i, haystacks, count)),
    );
    writeFileSync(join(outDir, set.file), `${lines.join("\n")}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${set.file}: ${set.count} samples from the ${set.split} split in ${seconds}s`);
  }
}

await main();
