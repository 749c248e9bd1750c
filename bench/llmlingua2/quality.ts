/**
 * Quality of LLMLingua-2 next to LLMLingua and LongLLMLingua on generated held-out tasks at 2x,
 * 4x and 10x compression (rates 0.5, 0.25, 0.1 of the whole prompt): answer retention (every
 * gold answer still verbatim in the compressed contexts) and, with --accuracy, the embedded
 * reader's score on the compressed prompt (the task's own metric).
 *
 *   npx tsx bench/llmlingua2/quality.ts [--samples 12] [--length 2000] [--accuracy] [--classifier DIR] [--scorer DIR]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { type CompressOptionsInput, runCompression } from "../../src/compressors/index.js";
import { createModelProvider } from "../../src/model/index.js";
import {
  corpusHaystack,
  docQa,
  multiKey,
  passkey,
  readerPrompt,
  scoreSample,
  type TaskSample,
} from "../tasks/index.js";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "12" },
    length: { type: "string", default: "2000" },
    accuracy: { type: "boolean", default: false },
    classifier: { type: "string" },
    scorer: { type: "string" },
  },
});
const samples = Number(values.samples);
const lengthTokens = Number(values.length);
const models = createModelProvider({
  ...(values.classifier
    ? { classifier: { type: "onnx", model: path.resolve(values.classifier) } }
    : {}),
  ...(values.scorer ? { scorer: { type: "onnx", model: path.resolve(values.scorer) } } : {}),
});
const scorer = await models.scorer();
const countTokens = (text: string) => scorer.tokenizer.encode(text).length;
const haystack = corpusHaystack("heldout");
const SEED = 9_700_000;

const TASKS: Record<string, (seed: number, i: number) => TaskSample> = {
  passkey: (seed, i) => passkey({ seed, lengthTokens, countTokens, haystack, depth: (i % 5) / 4 }),
  "multi-key": (seed, i) =>
    multiKey({ seed, lengthTokens, countTokens, haystack, depth: (i % 5) / 4, keys: 4 }),
  "doc-qa": (seed, i) =>
    docQa({ seed, lengthTokens, countTokens, haystack, documents: 10, position: 1 + (i % 10) }),
};

const METHODS: Record<string, (rate: number) => CompressOptionsInput> = {
  llmlingua2: (rate) => ({ method: "llmlingua2", rate }),
  "llmlingua2+digits": (rate) => ({ method: "llmlingua2", rate, forceReserveDigit: true }),
  llmlingua: (rate) => ({ method: "llmlingua", rate }),
  longllmlingua: (rate) => ({ method: "longllmlingua", rate }),
};
const RATIOS = [2, 4, 10];

const decoder = values.accuracy ? await models.decoder() : null;

interface Cell {
  retained: number;
  accuracy: number;
  achieved: number;
  ms: number;
  n: number;
}
const cells = new Map<string, Cell>();
const cell = (key: string) => {
  let c = cells.get(key);
  if (!c) {
    c = { retained: 0, accuracy: 0, achieved: 0, ms: 0, n: 0 };
    cells.set(key, c);
  }
  return c;
};

for (const [task, make] of Object.entries(TASKS)) {
  for (let i = 0; i < samples; i++) {
    const sample = make(SEED + 1000 * Object.keys(TASKS).indexOf(task) + i, i);
    const input = {
      instruction: sample.instruction,
      contexts: [...sample.contexts],
      question: sample.question,
    };
    for (const [method, options] of Object.entries(METHODS)) {
      for (const ratio of RATIOS) {
        const result = await runCompression(input, options(1 / ratio), { models });
        const contexts = result.contexts.map((c) => c.text);
        const kept = contexts.join("\n\n");
        const c = cell(`${task}|${method}|${ratio}`);
        c.n++;
        c.retained += sample.answers.every((answer) => kept.includes(answer)) ? 1 : 0;
        c.achieved += result.stats.counts.rate;
        c.ms += result.stats.totalMs;
        if (decoder) {
          const prompt = readerPrompt({ ...sample, contexts });
          const generation = await decoder.generate(prompt, { maxNewTokens: 24, stop: ["\n"] });
          c.accuracy += scoreSample(sample, generation.text);
        }
      }
    }
  }
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`.padStart(5);
console.log(
  `${samples} samples per task, ~${lengthTokens} tokens each (held-out haystacks); ` +
    `classifier ${(await models.tokenClassifier()).modelId}; scorer ${scorer.modelId}` +
    (decoder ? `; reader ${decoder.modelId}` : ""),
);
console.log(
  `${"task".padEnd(10)} ${"method".padEnd(18)} ${RATIOS.map((r) => `${r}x: retained${decoder ? "/acc" : ""} (rate, ms)`.padEnd(decoder ? 34 : 30)).join("")}`,
);
for (const task of [...Object.keys(TASKS), "all"]) {
  for (const method of Object.keys(METHODS)) {
    const columns = RATIOS.map((ratio) => {
      const parts = (task === "all" ? Object.keys(TASKS) : [task]).map((t) =>
        cell(`${t}|${method}|${ratio}`),
      );
      const n = parts.reduce((s, p) => s + p.n, 0);
      const sum = (f: (p: Cell) => number) => parts.reduce((s, p) => s + f(p), 0) / n;
      const accuracy = decoder ? `/${pct(sum((p) => p.accuracy)).trim()}` : "";
      return `${pct(sum((p) => p.retained))}${accuracy} (${sum((p) => p.achieved).toFixed(2)}, ${Math.round(sum((p) => p.ms))})`.padEnd(
        decoder ? 34 : 30,
      );
    });
    console.log(`${task.padEnd(10)} ${method.padEnd(18)} ${columns.join("")}`);
  }
}
await models.dispose();
