/**
 * One end-to-end compression timing, run as a child of bench/scorer/end-to-end.ts (also in a
 * checkout of older code, so it imports only the public API of src/index.ts, which has kept
 * `createModels`, `compress` and `CtxpressClient`): warms up on a short document, prints
 * "warmed", waits for "go" on stdin (the parent reads a worker's CPU time in between), then
 * compresses a held-out document of `--tokens` scorer tokens with `--method` and prints
 * {seconds, cpuSeconds} (this process's CPU) as JSON. The document starts with a line naming the
 * run, so no score, index or result cache can answer it from an earlier run.
 *
 * `--via in-process` compresses in this process; `--via worker` enqueues through the queue
 * client under `--prefix` and waits for the result (a worker of the same checkout must serve
 * that prefix's compress queue), so `seconds` is enqueue → result read back.
 *
 *   echo go | npx tsx bench/scorer/end-to-end-once.ts --method llmlingua --tokens 10000
 *       [--rate 0.3] [--via in-process|worker --prefix P --redis-url redis://127.0.0.1:6379]
 */

import { parseArgs } from "node:util";
import { CtxpressClient, compress, createModels } from "../../src/index.js";
import { heldOutDocument } from "./documents.js";

const { values: args } = parseArgs({
  options: {
    method: { type: "string", default: "llmlingua" },
    tokens: { type: "string", default: "10000" },
    rate: { type: "string", default: "0.3" },
    via: { type: "string", default: "in-process" },
    prefix: { type: "string" },
    "redis-url": { type: "string" },
  },
});
/** A worker may take minutes per 100K-token job on a loaded machine; never give up first. */
const RESULT_TIMEOUT_MS = 3 * 60 * 60_000;

const models = createModels({});
const scorer = await models.scorer();
const document = heldOutDocument(scorer.tokenizer, Number(args.tokens));
const question = "What did the speaker say about the future of the nation?";
const options = { method: args.method, rate: Number(args.rate) } as Parameters<typeof compress>[1];
const request = (label: string, text: string) => ({
  contexts: [`${label}\n\n${text}`],
  question,
});

interface Compressor {
  run(label: string, text: string): Promise<unknown>;
  close(): Promise<void>;
}

async function compressorFor(via: string | undefined): Promise<Compressor> {
  if (via === "in-process") {
    return {
      run: (label, text) => compress(request(label, text), options, { models }),
      close: async () => {},
    };
  }
  if (via !== "worker" || args.prefix === undefined || args["redis-url"] === undefined) {
    throw new Error("--via is in-process, or worker with --prefix and --redis-url");
  }
  const client = await CtxpressClient.connect({ redisUrl: args["redis-url"], prefix: args.prefix });
  return {
    run: async (label, text) =>
      (await client.enqueueCompress(request(label, text), options)).result({
        timeoutMs: RESULT_TIMEOUT_MS,
      }),
    close: () => client.close(),
  };
}

async function stdinText(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

const compressor = await compressorFor(args.via);
try {
  await compressor.run("Warm-up.", document.text.slice(0, 4000));
  console.log("warmed");
  const input = await stdinText();
  if (input.trim() !== "go")
    throw new Error(`expected "go" on stdin, got ${JSON.stringify(input)}`);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await compressor.run(`Run ${process.pid}.`, document.text);
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    JSON.stringify({
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    }),
  );
} finally {
  await compressor.close();
  await models.dispose();
}
