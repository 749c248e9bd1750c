/**
 * LLMLingua-2 speed and parity, in one run on the same held-out texts:
 *   - ctxpress `llmlingua2` over the classifier folder,
 *   - `@atjsh/llmlingua-2` (WithBERTMultilingual) over the same folder,
 *   - ctxpress `llmlingua` over a causal-LM scorer, at the same rate.
 * Prints input tokens per second (cl100k_base tokens of the input, the same unit for all three),
 * the speed ratios, and the agreement of kept words between the two LLMLingua-2 implementations.
 *
 *   npx tsx bench/llmlingua2/speed.ts [--classifier DIR] [--scorer DIR] [--texts 12] [--words 1500] [--rate 0.33] [--repeats 2]
 *
 * The compared ctxpress run uses the options in which both follow the reference: chunks end at
 * "." only (the peer, like the reference, never sees a "\n" token from WordPiece) and no rate
 * correction; a second row shows ctxpress with its defaults (rate correction, "\n" chunk ends).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { LLMLingua2 } from "@atjsh/llmlingua-2";
import { env as transformersEnv } from "@huggingface/transformers";
import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import { runCompression } from "../../src/compressors/index.js";
import { DEFAULT_CLASSIFIER_MODEL, DEFAULT_SCORER_MODEL } from "../../src/model/defaults.js";
import { createModelProvider } from "../../src/model/index.js";
import { keptWordAgreement } from "./agreement.js";
import { heldoutDocuments } from "./heldout-documents.js";

const { values } = parseArgs({
  options: {
    classifier: { type: "string", default: DEFAULT_CLASSIFIER_MODEL },
    scorer: { type: "string", default: DEFAULT_SCORER_MODEL },
    texts: { type: "string", default: "12" },
    words: { type: "string", default: "1500" },
    rate: { type: "string", default: "0.33" },
    repeats: { type: "string", default: "2" },
  },
});
const classifierDir = path.resolve(values.classifier);
const rate = Number(values.rate);
const repeats = Number(values.repeats);

const texts = heldoutDocuments(Number(values.texts), Number(values.words));
const oai = new Tiktoken(cl100k);
const inputTokens = texts.reduce((sum, text) => sum + oai.encode(text).length, 0);

/** Best of `repeats` timed passes over every text, after one untimed warm-up text. */
async function timed<T>(run: (text: string) => Promise<T>): Promise<{ ms: number; outputs: T[] }> {
  await run(texts[0] ?? "");
  let best = Number.POSITIVE_INFINITY;
  let outputs: T[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const results: T[] = [];
    for (const text of texts) results.push(await run(text));
    best = Math.min(best, performance.now() - started);
    outputs = results;
  }
  return { ms: best, outputs };
}

const models = createModelProvider({
  classifier: { type: "onnx", model: classifierDir },
  scorer: { type: "onnx", model: path.resolve(values.scorer) },
});
const env = { models };

/** ctxpress llmlingua2 with the given options on one text → its prompt. */
const llmlingua2 = (options: { chunkEndTokens?: string[]; correctRate?: boolean }) =>
  timed(async (text) => {
    const result = await runCompression(
      { contexts: [text] },
      { method: "llmlingua2", rate, ...options },
      env,
    );
    return result.prompt;
  });
const ours = await llmlingua2({ chunkEndTokens: ["."], correctRate: false });
const oursDefaults = await llmlingua2({});

transformersEnv.allowRemoteModels = false;
const { promptCompressor } = await LLMLingua2.WithBERTMultilingual(classifierDir, {
  // The folder ships the int8 graph only (models/lingua2-bert-mini/README.md): both read it.
  transformerJSConfig: { device: "cpu", dtype: "q8" },
  oaiTokenizer: oai,
  modelSpecificOptions: { local_files_only: true },
  pretrainedTokenizerOptions: { local_files_only: true },
});
const peer = await timed((text) => promptCompressor.compress(text, { rate }));

const llmlingua = await timed(async (text) => {
  const result = await runCompression({ contexts: [text] }, { method: "llmlingua", rate }, env);
  return result.prompt;
});

const classifier = await models.tokenClassifier();
const agreement = keptWordAgreement(
  texts,
  ours.outputs,
  peer.outputs,
  (text) => classifier.tokenizer.encodeWithSpans(text),
  (ids) => classifier.pieces(ids),
);

const perSecond = (ms: number) => inputTokens / (ms / 1000);
const row = (name: string, ms: number, outputs: string[]) => {
  const kept = outputs.reduce((sum, out) => sum + oai.encode(out).length, 0) / inputTokens;
  console.log(
    `${name.padEnd(26)} ${Math.round(perSecond(ms)).toString().padStart(8)} tok/s  ${Math.round(ms)
      .toString()
      .padStart(7)} ms  kept ${(100 * kept).toFixed(1)}%`,
  );
};
console.log(
  `${texts.length} held-out texts, ${inputTokens} cl100k tokens, rate ${rate}, best of ${repeats}`,
);
console.log(`classifier ${classifier.modelId}; scorer ${(await models.scorer()).modelId}`);
row("ctxpress llmlingua2", ours.ms, ours.outputs);
row("  (default options)", oursDefaults.ms, oursDefaults.outputs);
row("@atjsh/llmlingua-2", peer.ms, peer.outputs);
row("ctxpress llmlingua", llmlingua.ms, llmlingua.outputs);
console.log(`llmlingua2 vs @atjsh/llmlingua-2: ${(peer.ms / ours.ms).toFixed(2)}x faster`);
console.log(`llmlingua2 vs llmlingua:          ${(llmlingua.ms / ours.ms).toFixed(2)}x faster`);
console.log(
  `kept-word agreement with @atjsh/llmlingua-2: ${(100 * agreement.agreement).toFixed(2)}% of ${agreement.words} words (kept by both ${agreement.both}, only ctxpress ${agreement.onlyOurs}, only peer ${agreement.onlyPeer})`,
);
await models.dispose();
