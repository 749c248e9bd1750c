/**
 * Second-round training data for the landmark embedder: longer TRAIN-split haystacks (2K–8K
 * tokens, up to 20 documents for document QA) whose hard negatives are the blocks a first-round
 * embedder confuses with the answer (highest cosine to the question, gold blocks aside), plus
 * the block BM25 ranks highest. BM25-mined negatives teach lexical distinctions; these teach
 * the model its own mistakes (corpus text on the question's topic outranking the needle in
 * long haystacks).
 *   training/.data/landmark/mined.jsonl  {"kind","q","p","n"}, as train.jsonl
 * Run: npx tsx training/landmark/mine-negatives.ts --model DIR [--count N] [--out FILE]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { corpusHaystack } from "../../bench/tasks/index.js";
import { dotScores } from "../../src/compressors/landmark/landmark.js";
import { OnnxEmbedder } from "../../src/model/embedder.js";
import {
  bm25Negatives,
  drawBlockedSample,
  loadTokenizer,
  OUT_DIR,
  type RetrievalTask,
} from "./samples.js";

/** The tasks the first round found hard weigh more: doc-qa 60%, multi-key 25%, others 15%. */
const MINED_MIX: readonly RetrievalTask[] = [
  ...Array<RetrievalTask>(12).fill("doc-qa"),
  ...Array<RetrievalTask>(5).fill("multi-key"),
  ...Array<RetrievalTask>(2).fill("multi-value"),
  "passkey",
];
const MODEL_NEGATIVES = 3;

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    count: { type: "string", default: "1500" },
    out: { type: "string", default: join(OUT_DIR, "mined.jsonl") },
  },
});
if (values.model === undefined) throw new Error("--model DIR (a first-round embedder) is required");
const tokenizer = await loadTokenizer();
const embedder = await OnnxEmbedder.load(values.model, { session: { intraOpThreads: 1 } });
const haystack = corpusHaystack("train");
const started = performance.now();
const lines: string[] = [];
const count = Number(values.count);
for (let i = 0; i < count; i++) {
  const { rng, task, sample, blocked, gold } = drawBlockedSample(51_000_000 + i, {
    mix: MINED_MIX,
    minTokens: 2048,
    maxTokens: 8192,
    haystack: () => haystack,
    tokenizer,
  });
  const vectors = await embedder.embedTokens(blocked.ids);
  const [query] = await embedder.embed([sample.question]);
  const flat = new Float32Array(vectors.length * embedder.dimensions);
  vectors.forEach((vector, row) => {
    flat.set(vector, row * embedder.dimensions);
  });
  const cosines = dotScores(flat, embedder.dimensions, query ?? new Float32Array(0));
  const confused = Array.from(cosines, (score, index) => ({ score, index }))
    .filter(({ index }) => !gold.has(index))
    .sort((a, b) => b.score - a.score)
    .slice(0, MODEL_NEGATIVES)
    .map(({ index }) => index);
  const lexical = bm25Negatives(blocked, sample, gold, rng, 1);
  const ids = (index: number) => blocked.ids[index] ?? [];
  lines.push(
    JSON.stringify({
      kind: task,
      q: tokenizer.encode(sample.question),
      p: ids(rng.pick([...gold])),
      n: [...new Set([...confused, ...lexical])].map(ids),
    }),
  );
  if ((i + 1) % 250 === 0) {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`mined: ${i + 1}/${count} samples (${seconds}s)`);
  }
}
writeFileSync(values.out, `${lines.join("\n")}\n`);
await embedder.dispose();
console.log(`${lines.length} mined examples -> ${values.out}`);
