/**
 * Acceptance numbers of the embedded models (issue 3):
 *   - scorer: held-out perplexity (and a unigram baseline, for scale), scoring tokens/s;
 *   - reader: passkey accuracy at 1K/2K/4K/8K tokens by depth (past the window on purpose, to show
 *     where it breaks), a key stated once in other words (1K), 20-document QA by answer position,
 *     RULER-style tasks at 2K, and prefill/decode tokens/s.
 * All samples come from the held-out split with seeds no training set uses.
 *
 *   npx tsx training/evaluate.ts [--scorer models/X] [--reader models/Y] [--samples 10]
 *       [--qa-samples 20] [--threads 2] [--dtype q8] [--reader-dtype q8] [--only scorer|passkey]
 *       [--passkey-lengths 1024,2048,4096,8192] [--layout reader|pipeline] [--show-misses] [--json out.json]
 *
 * `--only passkey --passkey-lengths 256,512` measures a short-window reader (a training probe)
 * by greedy decoding without loading a scorer. `--layout pipeline` asks the reader in the layout
 * the product hands it (`ctxpress answer`, the demo: the question verbatim, then "Answer:") instead
 * of the benchmarks' reader prompt (training/task-lines.ts).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadDocuments } from "../bench/corpus/index.js";
import {
  corpusHaystack,
  docQa,
  multiKey,
  multiValue,
  passkey,
  readerPrompt,
  scoreSample,
  type TaskSample,
  variableTracking,
} from "../bench/tasks/index.js";
import { CausalLm } from "../src/model/causal-lm.js";
import { DEFAULT_DECODER_MODEL, DEFAULT_SCORER_MODEL } from "../src/model/defaults.js";
import { DTYPE_SUFFIXES, MODEL_DTYPES } from "../src/model/model-folder.js";
import { OnnxDecoder } from "../src/model/onnx-decoder.js";
import { OnnxScorer } from "../src/model/onnx-scorer.js";
import { greedyGenerate, OnnxLm } from "./onnx-lm.js";
import { rewordedPasskey } from "./reworded-passkey.js";
import { taskPrompt } from "./task-lines.js";

const argsSchema = z.object({
  scorer: z.string().default(DEFAULT_SCORER_MODEL),
  reader: z.string().default(DEFAULT_DECODER_MODEL),
  samples: z.coerce.number().int().positive().default(10),
  "qa-samples": z.coerce.number().int().positive().default(20),
  threads: z.coerce.number().int().positive().optional(),
  /** The scorer's ONNX file (fp32: model.onnx, q8: model_quantized.onnx, …). */
  dtype: z.enum(MODEL_DTYPES).default("fp32"),
  /** The reader's ONNX file: fp32, or q8 (the int8 graph the embedded reader loads by default). */
  "reader-dtype": z.enum(MODEL_DTYPES).default("fp32"),
  /** `scorer`: stop after the scorer's numbers; `passkey`: only the reader's passkey table. */
  only: z.enum(["scorer", "passkey"]).optional(),
  /** Prompt+answer lengths of the passkey table, comma-separated. */
  "passkey-lengths": z
    .string()
    .default("1024,2048,4096,8192")
    .transform((list) => list.split(",").map(Number))
    .pipe(z.array(z.number().int().min(64)).min(1)),
  /** How the reader's prompts are laid out (training/task-lines.ts). */
  layout: z.enum(["reader", "pipeline"]).default("reader"),
  /** Print every wrong answer (task, seed, expected, predicted): where a reader fails, not only how often. */
  "show-misses": z.boolean().default(false),
  json: z.string().optional(),
});
const { values } = parseArgs({
  options: {
    scorer: { type: "string" },
    reader: { type: "string" },
    samples: { type: "string" },
    "qa-samples": { type: "string" },
    threads: { type: "string" },
    dtype: { type: "string" },
    "reader-dtype": { type: "string" },
    only: { type: "string" },
    "passkey-lengths": { type: "string" },
    layout: { type: "string" },
    "show-misses": { type: "boolean" },
    json: { type: "string" },
  },
});
const args = argsSchema.parse(values);
const session = args.threads ? { intraOpThreads: args.threads } : {};

/** Seeds of evaluation samples; the training sets use 1M-3.6M, 9M-9.2M, 23M-24M and 59M+. */
const EVAL_SEED = 50_000_000;
/**
 * The reworded-passkey row draws its own seeds: from the shared sequence it would shift every
 * later table's samples (QA, RULER), and the numbers model cards give for those could no longer be
 * reproduced with the same command.
 */
const REWORDED_SEED = 51_000_000;
const PPL_DOCUMENTS = 64;
const PPL_TOKENS_PER_DOCUMENT = 1024;
const DEPTHS = [0, 0.25, 0.5, 0.75, 1];
const QA_POSITIONS = [1, 5, 10, 15, 20];
const MAX_NEW_TOKENS = 32;

const results: Record<string, unknown> = {
  scorer: args.scorer,
  reader: args.reader,
  dtype: args.dtype,
  readerDtype: args["reader-dtype"],
  layout: args.layout,
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Writes `--json` when asked and ends the process: the last step of every `--only` mode. */
function finish(): never {
  if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
  process.exit(0);
}

// --- Scorer: held-out perplexity against a unigram baseline, and throughput ------------------
if (args.only !== "passkey") {
  const lm = await CausalLm.load(args.scorer, { session, dtype: args.dtype });
  const scorer = new OnnxScorer(lm);
  const tokenizer = lm.tokenizer;
  const counts = new Float64Array(tokenizer.vocabSize).fill(1); // add-one smoothing
  let total = tokenizer.vocabSize;
  for (const document of loadDocuments("train")) {
    for (const id of tokenizer.encode(document.text)) {
      counts[id] = (counts[id] as number) + 1;
      total++;
    }
  }
  const heldout = loadDocuments("heldout");
  const picked = Array.from(
    { length: PPL_DOCUMENTS },
    (_, i) => heldout[Math.floor((i * heldout.length) / PPL_DOCUMENTS)],
  ).filter((d) => d !== undefined);
  let modelNll = 0;
  let unigramNll = 0;
  let scored = 0;
  const bySource = new Map<string, { nll: number; n: number }>();
  let scoreSeconds = 0;
  for (const document of picked) {
    const tokens = tokenizer.encode(document.text).slice(0, PPL_TOKENS_PER_DOCUMENT);
    const started = performance.now();
    const logprobs = await scorer.logprobs({ tokens });
    scoreSeconds += (performance.now() - started) / 1000;
    const source = bySource.get(document.source) ?? { nll: 0, n: 0 };
    logprobs.forEach((lp, i) => {
      if (Number.isNaN(lp)) return;
      modelNll -= lp;
      unigramNll -= Math.log((counts[tokens[i] as number] as number) / total);
      source.nll -= lp;
      source.n++;
      scored++;
    });
    bySource.set(document.source, source);
  }
  const perplexity = {
    tokens: scored,
    documents: picked.length,
    model: Math.exp(modelNll / scored),
    unigram: Math.exp(unigramNll / scored),
    bySource: Object.fromEntries([...bySource].map(([s, v]) => [s, Math.exp(v.nll / v.n)])),
    scoringTokensPerSecond: scored / scoreSeconds,
  };
  results.perplexity = perplexity;
  console.log(`\n## Scorer ${args.scorer}`);
  console.log(
    `held-out perplexity over ${scored} tokens of ${picked.length} documents (window ${lm.contextWindow}):`,
  );
  console.log(
    `  model ${perplexity.model.toFixed(2)}   unigram baseline ${perplexity.unigram.toFixed(2)}`,
  );
  console.log(
    `  by source: ${Object.entries(perplexity.bySource)
      .map(([s, p]) => `${s} ${p.toFixed(1)}`)
      .join(", ")}`,
  );
  console.log(
    `  scoring speed (OnnxScorer, documents of <=1K tokens): ${perplexity.scoringTokensPerSecond.toFixed(0)} tokens/s`,
  );
  await scorer.dispose();
}
if (args.only === "scorer") finish();

// --- Reader: generated long-context tasks ----------------------------------------------------
const readerDtype = args["reader-dtype"];
const readerLm = await CausalLm.load(args.reader, { session, dtype: readerDtype });
const tokenizer = readerLm.tokenizer;
const countTokens = (text: string) => tokenizer.encode(text).length;
const haystack = corpusHaystack("heldout");
const raw = await OnnxLm.load(args.reader, `model${DTYPE_SUFFIXES[readerDtype]}.onnx`, {
  threads: args.threads,
});
const eos = tokenizer.eosTokenId ?? 0;

/** Greedy answer of the raw session (no window check: cells past the window are on purpose). */
async function answer(sample: TaskSample): Promise<{ score: number; prediction: string }> {
  const prompt = [eos, ...tokenizer.encode(taskPrompt(sample, args.layout))];
  const generated = await greedyGenerate(raw, prompt, MAX_NEW_TOKENS, [eos]);
  const prediction = (tokenizer.decode(generated).split("\n")[0] ?? "").trim();
  return { score: scoreSample(sample, prediction), prediction };
}

// Room for BOS and the answer: a "2K" cell must fit a 2,048-token window with its answer.
const promptLength = (length: number) => length - 1 - MAX_NEW_TOKENS;

/** A run of evaluation seeds, handed out in order. */
interface SeedRun {
  next: number;
}
const evalSeeds: SeedRun = { next: EVAL_SEED };
/** Mean score of `count` fresh samples (each with the next unused seed of `seeds`). */
async function accuracy(
  count: number,
  make: (seed: number) => TaskSample,
  seeds: SeedRun = evalSeeds,
): Promise<number> {
  const scores: number[] = [];
  for (let i = 0; i < count; i++) {
    const seed = seeds.next++;
    const sample = make(seed);
    const { score, prediction } = await answer(sample);
    scores.push(score);
    if (args["show-misses"] && score < 1) {
      console.log(
        `  miss ${sample.id} (seed ${seed}): expected ${JSON.stringify(sample.answers)}, got ${JSON.stringify(prediction)}`,
      );
    }
  }
  return mean(scores);
}
const formatRow = (row: Record<string, number>) =>
  Object.entries(row)
    .map(([k, v]) => `${k} ${pct(v)}`)
    .join(", ");

console.log(
  `\n## Reader ${args.reader} (${readerDtype}, ${args.layout} layout, window ${readerLm.contextWindow})`,
);
const passkeyTable: Record<string, Record<string, number>> = {};
for (const length of args["passkey-lengths"]) {
  const row: Record<string, number> = {};
  for (const depth of DEPTHS) {
    row[`depth ${depth}`] = await accuracy(args.samples, (seed) =>
      passkey({ seed, lengthTokens: promptLength(length), depth, countTokens, haystack }),
    );
  }
  row.all = mean(Object.values(row));
  passkeyTable[`${length}`] = row;
  console.log(`passkey ${length} tokens: ${formatRow(row)}`);
}
results.passkey = passkeyTable;
// The key stated once, in the phrasings of training/reworded-passkey.ts (held-out haystacks and
// keys): the classic wording states it twice and names it "pass key", which a reader can match
// by rote. 1,000 tokens, depth drawn per sample, twice `--samples`. Skipped for a reader whose
// window is shorter (a 512-token training probe): unlike --passkey-lengths, nobody asked for it.
const REWORDED_LENGTH = 1000;
if (readerLm.contextWindow >= REWORDED_LENGTH + 1 + MAX_NEW_TOKENS) {
  const reworded = await accuracy(
    2 * args.samples,
    (seed) =>
      rewordedPasskey({
        seed,
        lengthTokens: REWORDED_LENGTH,
        depth: (seed % 5) / 4,
        countTokens,
        haystack,
      }),
    { next: REWORDED_SEED },
  );
  results.rewordedPasskey = { lengthTokens: REWORDED_LENGTH, accuracy: reworded };
  console.log(`passkey stated once in other words, ${REWORDED_LENGTH} tokens: ${pct(reworded)}`);
} else {
  console.log(
    `passkey stated once in other words: skipped (window ${readerLm.contextWindow} < ${REWORDED_LENGTH} tokens + answer)`,
  );
}
if (args.only === "passkey") {
  await raw.dispose();
  finish();
}

const QA_LENGTH = 2048;
const qaTable: Record<string, number> = {};
for (const position of QA_POSITIONS) {
  qaTable[`position ${position}`] = await accuracy(args["qa-samples"], (seed) =>
    docQa({
      seed,
      lengthTokens: promptLength(QA_LENGTH),
      documents: 20,
      position,
      countTokens,
      haystack,
    }),
  );
}
qaTable.average = mean(Object.values(qaTable));
results.docQa = { lengthTokens: QA_LENGTH, documents: 20, accuracy: qaTable };
console.log(`20-document QA at ${QA_LENGTH} tokens: ${formatRow(qaTable)}`);

const lengthTokens = promptLength(2048);
const ruler: Record<string, number> = {
  "multi-key (4 keys)": await accuracy(args["qa-samples"], (seed) =>
    multiKey({ seed, lengthTokens, depth: (seed % 5) / 4, keys: 4, countTokens, haystack }),
  ),
  "multi-value (4 values)": await accuracy(args["qa-samples"], (seed) =>
    multiValue({ seed, lengthTokens, values: 4, countTokens, haystack }),
  ),
  "variable tracking (4 hops)": await accuracy(args["qa-samples"], (seed) =>
    variableTracking({ seed, lengthTokens, hops: 4, countTokens, haystack }),
  ),
};
results.rulerAt2048 = ruler;
console.log(`RULER-style tasks at 2048 tokens: ${formatRow(ruler)}`);

// --- Reader speed through the product decoder -------------------------------------------------
{
  const decoder = new OnnxDecoder(readerLm);
  const sample = passkey({
    seed: evalSeeds.next++,
    lengthTokens: Math.min(1000, readerLm.contextWindow - 80),
    depth: 0.5,
    countTokens,
    haystack,
  });
  await decoder.generate(readerPrompt(sample), { maxNewTokens: 4 }); // warm-up
  // A retrieval answer is a handful of tokens, so one answer's decode time is within the noise of
  // its prefill: time ten answers and ten prefills, interleaved, and report decode only when the
  // difference is measurable.
  const ROUNDS = 10;
  let answerSeconds = 0;
  let prefillSeconds = 0;
  let generation = await decoder.generate(readerPrompt(sample), { maxNewTokens: 64 });
  for (let round = 0; round < ROUNDS; round++) {
    let started = performance.now();
    generation = await decoder.generate(readerPrompt(sample), { maxNewTokens: 64 });
    answerSeconds += (performance.now() - started) / 1000;
    started = performance.now();
    await decoder.generate(readerPrompt(sample), { maxNewTokens: 1 });
    prefillSeconds += (performance.now() - started) / 1000;
  }
  const decodeSeconds = answerSeconds - prefillSeconds;
  const speed = {
    promptTokens: generation.promptTokens,
    completionTokens: generation.completionTokens,
    prefillTokensPerSecond: (ROUNDS * generation.promptTokens) / prefillSeconds,
    decodeTokensPerSecond:
      decodeSeconds > 0 ? (ROUNDS * (generation.completionTokens - 1)) / decodeSeconds : null,
  };
  results.readerSpeed = speed;
  console.log(
    `reader speed (OnnxDecoder, ${speed.promptTokens}-token prompt, ${speed.completionTokens}-token answer, ${ROUNDS} rounds): prefill ${speed.prefillTokensPerSecond.toFixed(0)} tokens/s, decode ${speed.decodeTokensPerSecond?.toFixed(1) ?? "n/a (within the prefill's noise)"} tokens/s`,
  );
  await decoder.dispose();
}
await raw.dispose();
finish();
