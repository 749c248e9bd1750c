/**
 * What the embedder's training data scripts share: the task mix, the generators' settings, the
 * block sizes and BM25-mined hard negatives (make-data.ts, mine-negatives.ts).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  answerLocations,
  type BlockedSample,
  blockSample,
  blocksOverlapping,
} from "../../bench/landmark/gold.js";
import {
  type HaystackSource,
  Rng,
  TASK_GENERATORS,
  type TaskSample,
} from "../../bench/tasks/index.js";
import { bm25Scores } from "../../src/compressors/rankers/bm25.js";
import { resolveTokenizerFolder } from "../../src/model/model-folder.js";
import { HfTokenizer } from "../../src/model/tokenizer.js";

export const trainingDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const TOKENIZER = join(trainingDir, "..", "models", "_tokenizer");
export const OUT_DIR = join(trainingDir, ".data", "landmark");

export type RetrievalTask = "passkey" | "multi-key" | "multi-value" | "doc-qa";
/** Tasks in proportion (of 20): passkey 15%, multi-key 30%, multi-value 10%, doc-qa 45%. */
export const TASK_MIX: readonly RetrievalTask[] = [
  ...Array<RetrievalTask>(3).fill("passkey"),
  ...Array<RetrievalTask>(6).fill("multi-key"),
  ...Array<RetrievalTask>(2).fill("multi-value"),
  ...Array<RetrievalTask>(9).fill("doc-qa"),
];
/** Training mixes block sizes, so the embedder serves whichever size an index uses. */
export const TRAIN_BLOCK_SIZES = [32, 48, 64, 96, 128];

export function generate(
  task: RetrievalTask,
  rng: Rng,
  base: {
    seed: number;
    lengthTokens: number;
    countTokens: (text: string) => number;
    haystack: HaystackSource;
  },
  position?: number,
): TaskSample {
  switch (task) {
    case "passkey":
      return TASK_GENERATORS.passkey({ ...base, depth: rng.next() });
    case "multi-key":
      return TASK_GENERATORS["multi-key"]({ ...base, depth: rng.next(), keys: rng.int(2, 6) });
    case "multi-value":
      return TASK_GENERATORS["multi-value"]({ ...base, values: rng.int(2, 4) });
    case "doc-qa": {
      const documents = Math.max(2, Math.min(20, Math.floor(base.lengthTokens / 150)));
      return TASK_GENERATORS["doc-qa"]({
        ...base,
        documents,
        position: position ?? rng.int(1, documents),
      });
    }
  }
}

export function loadTokenizer(): Promise<HfTokenizer> {
  return resolveTokenizerFolder(TOKENIZER).then((folder) => HfTokenizer.load(folder));
}

/** The text of each block of a blocked sample. */
export function blockTexts(blocked: BlockedSample, sample: TaskSample): string[] {
  return blocked.blocks.map(({ context, block }) =>
    (sample.contexts[context] ?? "").slice(block.start, block.end),
  );
}

/**
 * The hardest negatives: the blocks of the same haystack that BM25 ranks highest against the
 * question, gold blocks aside (distractor facts about the same attribute, the gold document's
 * title, corpus text sharing the question's words), then random blocks.
 */
export function bm25Negatives(
  blocked: BlockedSample,
  sample: TaskSample,
  gold: ReadonlySet<number>,
  rng: Rng,
  count: number,
): number[] {
  const scores = bm25Scores(blockTexts(blocked, sample), sample.question);
  const picked = new Set(
    scores
      .map((score, index) => ({ index, score }))
      .filter(({ index, score }) => !gold.has(index) && score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, count)
      .map(({ index }) => index),
  );
  for (let tries = 0; picked.size < count && tries < 20; tries++) {
    const index = rng.int(0, blocked.blocks.length - 1);
    if (!gold.has(index)) picked.add(index);
  }
  return [...picked];
}

/** A training sample cut into blocks, with its gold blocks. */
export interface DrawnSample {
  readonly rng: Rng;
  readonly task: RetrievalTask;
  readonly sample: TaskSample;
  readonly haystack: HaystackSource;
  readonly blocked: BlockedSample;
  readonly gold: ReadonlySet<number>;
}

export interface DrawOptions {
  readonly mix: readonly RetrievalTask[];
  readonly minTokens: number;
  readonly maxTokens: number;
  /** The haystack of a sample (may draw from the sample's generator). */
  readonly haystack: (rng: Rng) => HaystackSource;
  readonly tokenizer: HfTokenizer;
}

/** The sample of a seed: task, haystack, length, then a block size, drawn in that order. */
export function drawBlockedSample(seed: number, options: DrawOptions): DrawnSample {
  const rng = new Rng(seed);
  const task = rng.pick(options.mix);
  const haystack = options.haystack(rng);
  const sample = generate(task, rng, {
    seed,
    lengthTokens: rng.int(options.minTokens, options.maxTokens),
    countTokens: (text) => options.tokenizer.encode(text).length,
    haystack,
  });
  const blocked = blockSample(sample, options.tokenizer, rng.pick(TRAIN_BLOCK_SIZES));
  const gold = new Set(blocksOverlapping(blocked.blocks, answerLocations(sample)));
  return { rng, task, sample, haystack, blocked, gold };
}
