/**
 * `npm run demo`: a worker process, a long document with one planted fact, compress-then-answer
 * through the queue, progress, the answer and its costs, then a clean worker shutdown.
 * (package.json runs scripts/setup.sh first: dependencies and a Redis server.)
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { redisOptionsFromUrl } from "../queues/connection.js";
import { DEFAULT_REDIS_URL } from "../queues/names.js";
import { formatAnswerStats } from "../src/cli/format.js";
import { progressDisplay } from "../src/cli/progress-bar.js";
import { defaultModels } from "../src/model/models.js";
import { splitIntoContexts } from "../src/sdk/chunk.js";
import { CtxpressClient } from "../src/sdk/client.js";
import { DEMO_MAX_NEW_TOKENS, demoCompression } from "./demo-request.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const prefix = `ctxpress-demo-${randomBytes(3).toString("hex")}`;

const example = JSON.parse(readFileSync(`${root}/examples/long-document.json`, "utf8")) as {
  document: string;
  question: string;
  answer: string;
  source: string;
};
const document = readFileSync(`${root}/examples/${example.document}`, "utf8");
const contexts = splitIntoContexts(document, 2000);

// The compressed prompt must fit the decoder's window (with room for the answer).
const decoder = await defaultModels().decoder();
const window = decoder.contextWindow ?? 2048;
await defaultModels().dispose();
const compression = demoCompression(example.question, window);

console.log(
  `document: examples/${example.document}, ${document.length} characters in ${contexts.length} contexts`,
);
console.log(`source: ${example.source.slice(0, 100)}…`);
console.log(`question: ${example.question}`);
console.log(
  `method: ${compression.method}; decoder window: ${window} tokens → at most about ${compression.targetTokens} tokens\n`,
);

const worker = spawn(
  process.execPath,
  ["--import", "tsx", "src/cli/main.ts", "worker", "--prefix", prefix, "--redis-url", redisUrl],
  {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
  },
);
const workerExit = new Promise<number | null>((resolve) =>
  worker.once("exit", (code) => resolve(code)),
);
let workerLog = "";
await new Promise<void>((resolve, reject) => {
  worker.stderr.on("data", (chunk: Buffer) => {
    workerLog += chunk.toString("utf8");
    if (workerLog.includes("serving")) resolve();
  });
  void workerExit.then((code) => reject(new Error(`worker exited with ${code}:\n${workerLog}`)));
});
console.log(`worker started (pid ${worker.pid}, queues under prefix ${prefix})`);

const client = await CtxpressClient.connect({ redisUrl, prefix });
try {
  const started = performance.now();
  const handle = await client.enqueueAnswer({ contexts, question: example.question }, compression, {
    maxNewTokens: DEMO_MAX_NEW_TOKENS,
    stop: ["\n"],
  });
  console.log(`enqueued compress-then-answer flow ${handle.id.slice(0, 24)}…`);
  const bar = progressDisplay(process.stdout);
  let lastStage = "";
  for await (const update of handle.progress()) {
    bar.update(update);
    const label = `${update.step}: ${update.stage}`;
    if (!process.stdout.isTTY && label !== lastStage)
      console.log(`  ${label} (${Math.round(update.fraction * 100)}%)`);
    lastStage = label;
  }
  bar.stop();
  const result = await handle.result();
  const elapsed = performance.now() - started;

  const found = result.answer.includes(example.answer);
  console.log(`\nanswer: ${JSON.stringify(result.answer)}`);
  console.log(`expected: ${example.answer} → ${found ? "found" : "not found"}`);
  console.log(
    `planted fact kept in the compressed prompt: ${result.prompt.includes(example.answer) ? "yes" : "no"}`,
  );
  for (const line of formatAnswerStats(result)) console.log(line);
  console.log(`end to end (enqueue → answer read back): ${Math.round(elapsed)} ms`);
} finally {
  await client.close();
  worker.kill("SIGTERM");
  const code = await workerExit;
  console.log(`worker stopped cleanly on SIGTERM (exit code ${code})`);
  const redis = new Redis(redisOptionsFromUrl(redisUrl));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
