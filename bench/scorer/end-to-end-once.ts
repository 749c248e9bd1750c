/**
 * One end-to-end compression timing, run as a child of bench/scorer/end-to-end.ts (also in a
 * checkout of older code, so it uses only long-standing APIs): loads the embedded models, warms
 * them up on a short document, then compresses a held-out document of `--tokens` scorer tokens
 * with `--method` in this process and prints {seconds, cpuSeconds} as JSON. The document starts
 * with a line naming the run, so no score or index cache can answer it from an earlier run.
 *
 *   npx tsx bench/scorer/end-to-end-once.ts --method llmlingua --tokens 10000 [--rate 0.3]
 */

import { parseArgs } from "node:util";
import { createModels } from "../../src/model/models.js";
import { compress } from "../../src/sdk/in-process.js";
import { heldOutDocument } from "./documents.js";

const { values: args } = parseArgs({
  options: {
    method: { type: "string", default: "llmlingua" },
    tokens: { type: "string", default: "10000" },
    rate: { type: "string", default: "0.3" },
  },
});
const models = createModels({});
const scorer = await models.scorer();
const document = heldOutDocument(scorer.tokenizer, Number(args.tokens));
const question = "What did the speaker say about the future of the nation?";
const options = { method: args.method, rate: Number(args.rate) } as Parameters<typeof compress>[1];
const run = (label: string, text: string) =>
  compress({ contexts: [`${label}\n\n${text}`], question }, options, { models });

await run("Warm-up.", document.text.slice(0, 4000));
const started = performance.now();
const cpuBefore = process.cpuUsage();
await run(`Run ${process.pid}.`, document.text);
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
await models.dispose();
