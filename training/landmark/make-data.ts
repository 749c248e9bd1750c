/**
 * Training and evaluation data for the landmark embedder, as JSON Lines of token ids in the
 * project's BPE tokenizer (models/_tokenizer):
 *   training/.data/landmark/train.jsonl  {"kind","q","p","n"}: a query, the block holding its
 *     answer, and hard negatives (the haystack's blocks BM25 ranks highest for the question:
 *     other needles, title blocks, text sharing its words). Haystacks come from the TRAIN split.
 *   training/.data/landmark/eval.jsonl   {"task","q","blocks","gold"}: a held-out document cut
 *     into blocks, its question and the indexes of the blocks holding the answer.
 * Kinds: "passkey", "multi-key", "multi-value", "doc-qa" (the task's question against the block
 * holding its answer) and "sentence" (a sentence of a block, some words dropped, against it).
 * Run: npx tsx training/landmark/make-data.ts [--train N] [--eval N] [--out DIR]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  answerLocations,
  type BlockedSample,
  blockSample,
  blocksOverlapping,
} from "../../bench/landmark/gold.js";
import { corpusHaystack, FILLER_HAYSTACK, Rng, type TaskSample } from "../../bench/tasks/index.js";
import type { HfTokenizer } from "../../src/model/tokenizer.js";
import {
  bm25Negatives,
  drawBlockedSample,
  generate,
  loadTokenizer,
  OUT_DIR,
  type RetrievalTask,
  TASK_MIX,
} from "./samples.js";

const HARD_NEGATIVES = 3;

/** A query of the sample's own text: one sentence of a block with some of its words dropped. */
function sentenceQuery(
  blocked: BlockedSample,
  sample: TaskSample,
  avoid: ReadonlySet<number>,
  rng: Rng,
  tokenizer: HfTokenizer,
): { q: number[]; block: number } | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    const index = rng.int(0, blocked.blocks.length - 1);
    const entry = blocked.blocks[index];
    if (entry === undefined || avoid.has(index)) continue;
    const text = (sample.contexts[entry.context] ?? "").slice(entry.block.start, entry.block.end);
    const sentences = text.match(/[^.!?\n]+[.!?]?/g)?.filter((s) => s.split(" ").length >= 6);
    if (!sentences || sentences.length === 0) continue;
    const dropRate = rng.next() * 0.3;
    const words = rng
      .pick(sentences)
      .trim()
      .split(/\s+/)
      .filter(() => rng.next() >= dropRate);
    const q = tokenizer.encode(words.join(" "));
    if (q.length >= 4) return { q: q.slice(0, 48), block: index };
  }
  return null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      train: { type: "string", default: "6000" },
      eval: { type: "string", default: "60" },
      out: { type: "string", default: OUT_DIR },
    },
  });
  const tokenizer = await loadTokenizer();
  const countTokens = (text: string) => tokenizer.encode(text).length;
  const outDir = values.out;
  mkdirSync(outDir, { recursive: true });

  const started = performance.now();
  const train = corpusHaystack("train");
  const lines: string[] = [];
  const trainCount = Number(values.train);
  for (let i = 0; i < trainCount; i++) {
    const { rng, task, sample, haystack, blocked, gold } = drawBlockedSample(50_000_000 + i, {
      mix: TASK_MIX,
      minTokens: 384,
      maxTokens: 2048,
      haystack: (draw) => (draw.next() < 0.1 ? FILLER_HAYSTACK : train),
      tokenizer,
    });
    const positive = rng.pick([...gold]);
    const goldSet = gold;
    const ids = (index: number) => blocked.ids[index] ?? [];
    lines.push(
      JSON.stringify({
        kind: task,
        q: tokenizer.encode(sample.question),
        p: ids(positive),
        n: bm25Negatives(blocked, sample, goldSet, rng, HARD_NEGATIVES).map(ids),
      }),
    );
    if (haystack !== FILLER_HAYSTACK) {
      const sentence = sentenceQuery(blocked, sample, goldSet, rng, tokenizer);
      if (sentence !== null) {
        const neighbours = [sentence.block - 1, sentence.block + 1].filter(
          (index) => index >= 0 && index < blocked.blocks.length,
        );
        lines.push(
          JSON.stringify({
            kind: "sentence",
            q: sentence.q,
            p: ids(sentence.block),
            n: neighbours.map(ids),
          }),
        );
      }
    }
    if ((i + 1) % 500 === 0) {
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(`train: ${i + 1}/${trainCount} samples (${seconds}s)`);
    }
  }
  writeFileSync(join(outDir, "train.jsonl"), `${lines.join("\n")}\n`);

  const heldout = corpusHaystack("heldout");
  const evalLines: string[] = [];
  const evalCount = Number(values.eval);
  const evalTasks: RetrievalTask[] = ["passkey", "multi-key", "doc-qa"];
  for (let i = 0; i < evalCount; i++) {
    const seed = 59_000_000 + i;
    const rng = new Rng(seed);
    const task = evalTasks[i % evalTasks.length] as RetrievalTask;
    const sample = generate(
      task,
      rng,
      { seed, lengthTokens: 8192, countTokens, haystack: heldout },
      [1, 5, 10, 15, 20][i % 5],
    );
    const blocked = blockSample(sample, tokenizer, 64);
    evalLines.push(
      JSON.stringify({
        task,
        q: tokenizer.encode(sample.question),
        blocks: blocked.ids,
        gold: blocksOverlapping(blocked.blocks, answerLocations(sample)),
      }),
    );
  }
  writeFileSync(join(outDir, "eval.jsonl"), `${evalLines.join("\n")}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`${lines.length} training pairs, ${evalLines.length} eval documents in ${seconds}s`);
}

await main();
