/**
 * How closely llmlingua2 meets the requested rate (cl100k_base tokens of the whole prompt) on
 * held-out English of three lengths, with its rate correction (default) and without it (the
 * reference's single percentile pass).
 *
 *   npx tsx bench/llmlingua2/rate-tracking.ts [--classifier DIR]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { runCompression } from "../../src/compressors/index.js";
import { createModelProvider } from "../../src/model/index.js";
import { loadParagraphs } from "../corpus/index.js";

const { values } = parseArgs({ options: { classifier: { type: "string" } } });
const models = createModelProvider(
  values.classifier ? { classifier: { type: "onnx", model: path.resolve(values.classifier) } } : {},
);
const paragraphs = loadParagraphs("heldout");
const RATES = [0.1, 0.2, 0.33, 0.5, 0.7];

console.log(
  `correction  tokens  ${RATES.map((r) => `rate ${r}`.padStart(10)).join("")}   ms (rate 0.33)`,
);
for (const count of [6, 40, 150]) {
  const text = paragraphs.slice(100, 100 + count).join("\n\n");
  for (const correctRate of [true, false]) {
    const cells: string[] = [];
    let tokens = 0;
    let ms = 0;
    for (const rate of RATES) {
      const result = await runCompression(
        { contexts: [text] },
        { method: "llmlingua2", rate, correctRate },
        { models },
      );
      tokens = result.stats.target?.originalTokens ?? 0;
      if (rate === 0.33) ms = result.stats.totalMs;
      cells.push((result.stats.target?.rate ?? Number.NaN).toFixed(3).padStart(10));
    }
    console.log(
      `${String(correctRate).padEnd(10)} ${String(tokens).padStart(7)}  ${cells.join("")}   ${Math.round(ms)}`,
    );
  }
}
await models.dispose();
