/**
 * What streaming long inputs through one trimmed KV cache changes against sliding windows
 * (issue 15 item 1): held-out perplexity of a long document under each way of scoring past the
 * window, and the kept-token agreement of `llmlingua` / `longllmlingua` with the streamed scorer
 * against the same methods with today's windows.
 *
 *   npx tsx bench/scorer/long-context.ts [--model models/ctxpress-5m] [--dtype fp32]
 *       [--tokens 24000] [--contexts 4] [--rate 0.5] [--json]
 *
 * Perplexity: the held-out document of `--tokens` tokens scored by (a) windows (overlap a quarter
 * window), (b) the cache stream with positions "shifted", "original" and "unrotated" (see
 * TrimPositions in src/model/kv-cache.ts); reported over all tokens and over the tokens past the
 * first window (the only ones that differ). Agreement: the same text cut into `--contexts` long
 * contexts (each past the window), compressed by both scorers; the share of characters on which
 * both keep or both drop.
 */
import { parseArgs } from "node:util";
import { runCompression } from "../../src/compressors/index.js";
import type { CompressionResult } from "../../src/compressors/types.js";
import { CausalLm } from "../../src/model/causal-lm.js";
import { DEFAULT_SCORER_MODEL } from "../../src/model/defaults.js";
import type { TrimPositions } from "../../src/model/kv-cache.js";
import { MODEL_DTYPES, type ModelDtype } from "../../src/model/model-folder.js";
import { type CacheStreamOptions, OnnxScorer } from "../../src/model/onnx-scorer.js";
import { heldOutDocument } from "./documents.js";

const { values: args } = parseArgs({
  options: {
    model: { type: "string", default: DEFAULT_SCORER_MODEL },
    dtype: { type: "string", default: "fp32" },
    tokens: { type: "string", default: "24000" },
    contexts: { type: "string", default: "4" },
    rate: { type: "string", default: "0.5" },
    json: { type: "boolean", default: false },
  },
});
if (!MODEL_DTYPES.includes(args.dtype as ModelDtype)) {
  throw new Error(`--dtype must be one of ${MODEL_DTYPES.join(", ")}; got ${args.dtype}`);
}
const lm = await CausalLm.load(args.model ?? DEFAULT_SCORER_MODEL, {
  dtype: args.dtype as ModelDtype,
});
const document = heldOutDocument(lm.tokenizer, Number(args.tokens));
const window = lm.contextWindow;

const variants: [name: string, stream: false | CacheStreamOptions][] = [
  ["windows", false],
  ...(["shifted", "original", "unrotated"] as TrimPositions[]).map(
    (positions): [string, CacheStreamOptions] => [`cache, ${positions}`, { positions }],
  ),
];

const perplexity = (logprobs: Float32Array) =>
  Math.exp(-logprobs.reduce((sum, v) => sum + v, 0) / Math.max(1, logprobs.length));

const perplexities = [];
for (const [name, cacheStream] of variants) {
  const scorer = new OnnxScorer(lm, { cacheStream });
  const started = performance.now();
  const logprobs = await scorer.logprobs({ tokens: document.tokens });
  perplexities.push({
    scoring: name,
    all: perplexity(logprobs),
    pastWindow: perplexity(logprobs.subarray(window)),
    seconds: (performance.now() - started) / 1000,
  });
}

/** Characters of each context a compression keeps. */
function keptCharacters(result: CompressionResult, contexts: readonly string[]): boolean[][] {
  const kept = contexts.map((text) => new Array<boolean>(text.length).fill(false));
  for (const context of result.contexts) {
    for (const [start, end] of context.keptSpans) kept[context.index]?.fill(true, start, end);
  }
  return kept;
}

// Contexts past the window each: the text cut into equal runs of paragraphs.
const paragraphs = document.text.split("\n\n");
const perContext = Math.ceil(paragraphs.length / Number(args.contexts));
const contexts = Array.from({ length: Number(args.contexts) }, (_, i) =>
  paragraphs.slice(i * perContext, (i + 1) * perContext).join("\n\n"),
).filter((text) => text.length > 0);
const question = "What did the speaker say about the future of the nation?";
const rate = Number(args.rate);
const agreements = [];
for (const method of ["llmlingua", "longllmlingua"] as const) {
  const kept: boolean[][][] = [];
  for (const cacheStream of [false, {}] as const) {
    const scorer = new OnnxScorer(lm, { cacheStream });
    const result = await runCompression(
      { contexts, question },
      { method, rate },
      { models: { scorer: async () => scorer } },
    );
    kept.push(keptCharacters(result, contexts));
  }
  const [windows, streamed] = kept as [boolean[][], boolean[][]];
  let same = 0;
  let total = 0;
  windows.forEach((flags, c) => {
    flags.forEach((flag, i) => {
      total++;
      if (flag === streamed[c]?.[i]) same++;
    });
  });
  agreements.push({ method, rate, characters: total, agreement: same / total });
}
await lm.dispose();

const summary = {
  model: args.model,
  dtype: args.dtype,
  window,
  tokens: document.tokens.length,
  contextTokens: contexts.map((text) => lm.tokenizer.encode(text).length),
  perplexities,
  agreements,
};
if (args.json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(
    `Long-context scoring: ${summary.model} ${summary.dtype}, window ${window}, ${summary.tokens} held-out tokens`,
  );
  console.log("\n| scoring | perplexity (all) | perplexity past the first window | seconds |");
  console.log("|---|---:|---:|---:|");
  for (const p of perplexities) {
    console.log(
      `| ${p.scoring} | ${p.all.toFixed(3)} | ${p.pastWindow.toFixed(3)} | ${p.seconds.toFixed(1)} |`,
    );
  }
  console.log(
    `\nKept-character agreement, streamed vs windows (${contexts.length} contexts of ${summary.contextTokens.join(", ")} tokens, rate ${rate}):`,
  );
  for (const a of agreements) {
    console.log(`  ${a.method}: ${(a.agreement * 100).toFixed(2)}% of ${a.characters} characters`);
  }
}
