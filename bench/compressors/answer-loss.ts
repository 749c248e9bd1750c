/**
 * Where a question-aware token pruner loses the answer: the coarse stage (the needle's context
 * not kept) or the fine stage (its context kept, the key cut). Passkey samples at 2K tokens,
 * split into contexts as `npm run bench` does, compressed by LLMLingua and LongLLMLingua.
 *
 *   npx tsx bench/compressors/answer-loss.ts [samples per depth] [rate]   (defaults 3, 0.5)
 */
import { runCompression } from "../../src/compressors/index.js";
import { createModelProvider } from "../../src/model/index.js";
import { splitIntoContexts } from "../../src/sdk/chunk.js";
import { generateSample, heldOutGeneration, sampleSeed } from "../runner/samples.js";
import { QUICK_SUITE } from "../suites/quick.js";

const perDepth = Number(process.argv[2] ?? 3);
const rate = Number(process.argv[3] ?? 0.5);
const DEPTHS = [0, 0.5, 1];
// The benchmark's chunking of a single haystack (the suites' chunkChars).
const CHUNK_CHARS = QUICK_SUITE.chunkChars;

const provider = createModelProvider({});
const scorer = await provider.scorer();
const generation = heldOutGeneration((text) => scorer.tokenizer.encode(text).length);

interface Tally {
  samples: number;
  contextKept: number;
  keyKept: number;
  contexts: number;
}

console.log(`passkey 2K, rate ${rate}, ${perDepth} samples per depth ${DEPTHS.join("/")}`);
console.log("method          depth  samples  contexts/sample  needle context kept  key intact");
for (const method of ["llmlingua", "longllmlingua"] as const) {
  for (const depth of DEPTHS) {
    const tally: Tally = { samples: 0, contextKept: 0, keyKept: 0, contexts: 0 };
    for (let i = 0; i < perDepth; i++) {
      const seed = sampleSeed(`answer-loss/${depth}/${i}`);
      const sample = generateSample(
        { kind: "generated", task: "passkey", lengthTokens: 2000, seed, depth },
        generation,
      );
      const key = sample.answers[0] as string;
      const haystack = sample.contexts[0] as string;
      const contexts = CHUNK_CHARS === null ? [haystack] : splitIntoContexts(haystack, CHUNK_CHARS);
      const needle = contexts.findIndex((context) => context.includes(key));
      const input = { instruction: sample.instruction, contexts, question: sample.question };
      const result = await runCompression(input, { method, rate }, { models: provider });
      tally.samples++;
      tally.contexts += contexts.length;
      if (result.contexts.some((context) => context.index === needle)) tally.contextKept++;
      if (result.contexts.some((context) => context.text.includes(key))) tally.keyKept++;
    }
    console.log(
      [
        method.padEnd(14),
        depth.toFixed(1).padStart(6),
        String(tally.samples).padStart(8),
        (tally.contexts / tally.samples).toFixed(1).padStart(16),
        `${tally.contextKept}/${tally.samples}`.padStart(20),
        `${tally.keyKept}/${tally.samples}`.padStart(11),
      ].join(" "),
    );
  }
}
console.log(`scorer: ${scorer.modelId}`);
await provider.dispose();
