/**
 * How closely LLMLingua and LongLLMLingua meet the requested rate, and how long they take, over
 * the real ONNX scorer on held-out English. Prints one row per method × length × rate.
 *
 *   npx tsx bench/compressors/rate-tracking.ts [model folder or hub id]   (default: embedded scorer)
 */
import { runCompression } from "../../src/compressors/index.js";
import { createModelProvider } from "../../src/model/index.js";
import { loadParagraphs } from "../corpus/index.js";

const model = process.argv[2];
const provider = createModelProvider(model ? { scorer: { type: "onnx", model } } : {});
const env = { models: provider };
const question = "What did the senator say about the campaign?";
const paragraphs = loadParagraphs("heldout");

console.log("method         paragraphs  tokens  rate  achieved  error%   total ms  stages (ms)");
for (const count of [20, 200]) {
  const contexts = paragraphs.slice(0, count);
  for (const method of ["llmlingua", "longllmlingua"] as const) {
    for (const rate of [0.2, 0.5]) {
      // LLMLingua gets one long document; LongLLMLingua the paragraphs as documents.
      const input =
        method === "llmlingua" ? { contexts: [contexts.join("\n\n")] } : { contexts, question };
      const result = await runCompression(input, { method, rate }, env);
      const { originalTokens, rate: achieved } = result.stats.counts;
      const stages = Object.entries(result.stats.timingsMs)
        .map(([stage, ms]) => `${stage} ${Math.round(ms)}`)
        .join(", ");
      console.log(
        [
          method.padEnd(14),
          String(count).padStart(10),
          String(originalTokens).padStart(7),
          rate.toFixed(2).padStart(5),
          achieved.toFixed(4).padStart(9),
          ((100 * (achieved - rate)) / rate).toFixed(2).padStart(7),
          String(Math.round(result.stats.totalMs)).padStart(10),
          ` ${stages}`,
        ].join(" "),
      );
    }
  }
}
console.log(`scorer: ${(await provider.scorer()).modelId}`);
await provider.dispose();
