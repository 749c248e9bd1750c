/**
 * The gateway on loopback, measured with autocannon against `ctxpress serve` processes and a
 * minimal OpenAI-compatible upstream (bench/server/openai-upstream.ts, its own process):
 *
 * 1. Added latency with compression off: the same small chat request sent to the upstream
 *    directly and through the gateway by one client, interleaved request by request so background
 *    load hits both alike, timed to the microsecond. Added = gateway − direct, per percentile.
 * 2. Requests/s (autocannon) with compression on for a ~4K-token prompt (cl100k) at 1 and 50 connections,
 *    in process and with --queue (one `ctxpress worker`, --concurrency 2). Each request's prompt
 *    starts with its own number, so neither the score cache nor job deduplication skips work.
 *
 *   npx tsx bench/server/gateway-bench.ts [--method llmlingua] [--rate 0.5] [--tokens 4096]
 *     [--latency-requests 3000] [--one-client-requests 5] [--models FILE]
 *
 * --models goes to the server and the worker alike (e.g. a scorer with `"cacheTokens": 0`, so
 * that contexts repeated across requests are scored again).
 *
 * Needs Redis for the --queue half (scripts/ensure-redis.sh; REDIS_URL, keys under a prefix of
 * its own, deleted at the end). Uses the embedded models.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { Agent, request } from "undici";
import { redisOptionsFromUrl } from "../../queues/connection.js";
import { DEFAULT_REDIS_URL } from "../../queues/names.js";
import { targetTokenCounter } from "../../src/compressors/target-tokenizer.js";

const { values } = parseArgs({
  options: {
    method: { type: "string", default: "llmlingua" },
    rate: { type: "string", default: "0.5" },
    tokens: { type: "string", default: "4096" },
    "latency-requests": { type: "string", default: "3000" },
    "one-client-requests": { type: "string", default: "5" },
    models: { type: "string" },
  },
});
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const prefix = `ctxpress-bench-serve-${process.pid}`;
const oneClientRequests = Number(values["one-client-requests"]);
const modelFlags = values.models === undefined ? [] : ["--models", values.models];
const children: ChildProcess[] = [];

/** Starts `node --import tsx <args>` and resolves with the first line matching `ready`. */
function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const line = output.split("\n").find((each) => ready.test(each));
      if (line !== undefined) resolve({ child, line });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}:\n${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function startServe(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const { child, line } = await start(
    ["src/cli/main.ts", "serve", "--port", "0", ...args],
    /listening on /,
  );
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1] as string;
  // Ready once the models are loaded (in process) or Redis answers (queue).
  for (;;) {
    if ((await fetch(`${url}/readyz`)).ok) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const small = JSON.stringify({
  model: "upstream-model",
  messages: [{ role: "user", content: "What is the passkey?" }],
});
const pool = new Agent({ keepAliveTimeout: 30_000 });

/** Milliseconds one small chat request takes, response body read (keep-alive connection). */
async function timeOne(base: string): Promise<number> {
  const start = process.hrtime.bigint();
  const response = await request(`${base}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: small,
    dispatcher: pool,
  });
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${base}: status ${response.statusCode}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Sub-millisecond latency (autocannon rounds to whole milliseconds): one client, requests
 * interleaved — direct, gateway, direct, gateway… — so load on the shared machine hits both alike.
 */
async function addedLatency(upstream: string, gateway: string, amount: number) {
  const direct: number[] = [];
  const via: number[] = [];
  for (let i = 0; i < 300; i += 1) await Promise.all([timeOne(upstream), timeOne(gateway)]);
  for (let i = 0; i < amount; i += 1) {
    direct.push(await timeOne(upstream));
    via.push(await timeOne(gateway));
  }
  return { direct, via };
}

/** CPU seconds the server process has used so far (its own Prometheus process metrics). */
async function serverCpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^ctxpress_process_cpu_seconds_total (\S+)$/m.exec(text);
  if (match === null) throw new Error("no ctxpress_process_cpu_seconds_total in /metrics");
  return Number(match[1]);
}

/** A ~`tokens`-token prompt (cl100k) of whole paragraphs from the example document. */
async function longPrompt(tokens: number): Promise<string> {
  const count = await targetTokenCounter("cl100k_base");
  const document = readFileSync(
    new URL("../../examples/long-document.txt", import.meta.url),
    "utf8",
  );
  const kept: string[] = [];
  for (const paragraph of document.split(/\n\s*\n/)) {
    if (count([...kept, paragraph].join("\n\n")) > tokens) break;
    kept.push(paragraph);
  }
  return kept.join("\n\n");
}

/** `amount` requests over `connections` connections; req/s = completed ÷ wall time. */
/** Numbers every request of the run, so no two share a prompt (nor a cached result). */
let requestNumber = 0;

async function throughput(url: string, prompt: string, connections: number, amount: number) {
  const ctxpress = { method: values.method, rate: Number(values.rate) };
  const result = await autocannon({
    url: `${url}/chat/completions`,
    method: "POST",
    headers: { "content-type": "application/json" },
    connections,
    amount,
    timeout: 900,
    requests: [
      {
        setupRequest: (request) => {
          requestNumber += 1;
          const content = `Request ${process.pid}-${requestNumber}.\n\n${prompt}\n\nWhat is the ship's secret passkey?`;
          return {
            ...request,
            body: JSON.stringify({
              model: "upstream-model",
              messages: [{ role: "user", content }],
              ctxpress,
            }),
          };
        },
      },
    ],
  });
  return {
    connections,
    completed: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const fmt = (ms: number) => ms.toFixed(2);

try {
  const upstreamLine = await start(["bench/server/upstream-main.ts"], /^http:/);
  const upstream = upstreamLine.line.trim();
  const inProcess = await startServe([
    "--upstream",
    upstream,
    "--max-in-flight",
    "64",
    ...modelFlags,
  ]);
  const gateway = `${inProcess.url}/v1`;

  console.log(
    `machine: ${availableParallelism()} cores shared with other work, load ${loadavg()
      .map((n) => n.toFixed(1))
      .join(" ")}`,
  );
  const amount = Number(values["latency-requests"]);
  const cpuBefore = await serverCpuSeconds(inProcess.url);
  const { direct, via } = await addedLatency(upstream, gateway, amount);
  // CPU time does not grow with the machine's load the way wall time does.
  const cpuPerRequest = ((await serverCpuSeconds(inProcess.url)) - cpuBefore) / (amount + 300);
  console.log(
    `\nAdded latency, compression off (${amount} requests each, interleaved, 1 client; ms):`,
  );
  console.log("| path | p50 | p90 | p99 | mean |");
  console.log("|---|---|---|---|---|");
  const mean = (samples: number[]) => samples.reduce((a, b) => a + b, 0) / samples.length;
  for (const [name, samples] of [
    ["upstream direct", direct],
    ["through the gateway", via],
  ] as const) {
    console.log(
      `| ${name} | ${fmt(percentile(samples, 50))} | ${fmt(percentile(samples, 90))} | ${fmt(percentile(samples, 99))} | ${fmt(mean(samples))} |`,
    );
  }
  console.log(
    `| added | ${fmt(percentile(via, 50) - percentile(direct, 50))} | ${fmt(percentile(via, 90) - percentile(direct, 90))} | ${fmt(percentile(via, 99) - percentile(direct, 99))} | ${fmt(mean(via) - mean(direct))} |`,
  );
  console.log(`gateway CPU time per proxied request: ${(cpuPerRequest * 1000).toFixed(3)} ms`);

  const prompt = await longPrompt(Number(values.tokens));
  const tokens = (await targetTokenCounter("cl100k_base"))(prompt);
  const rows: string[] = [];
  const measure = async (mode: string, url: string) => {
    await throughput(url, prompt, 1, 2); // warm-up: models, child processes
    for (const [connections, amount] of [
      [1, oneClientRequests],
      [50, 50],
    ] as const) {
      const r = await throughput(url, prompt, connections, amount);
      rows.push(
        `| ${mode} | ${connections} | ${r.completed} | ${r.rps.toFixed(2)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`,
      );
      console.error(`${mode} ×${connections}: ${r.rps.toFixed(2)} req/s`);
    }
  };
  await measure("in process", gateway);
  await stop(inProcess.child);

  const redisFlags = ["--redis-url", redisUrl, "--prefix", prefix];
  await start(
    [
      "src/cli/main.ts",
      "worker",
      ...redisFlags,
      ...modelFlags,
      "--queues",
      "compress",
      "--concurrency",
      "2",
    ],
    /serving/,
  );
  const queued = await startServe([
    "--queue",
    ...redisFlags,
    "--upstream",
    upstream,
    "--max-in-flight",
    "64",
  ]);
  await measure("--queue (1 worker, concurrency 2)", `${queued.url}/v1`);

  console.log(
    `\nCompression on: ${tokens}-token prompt (cl100k), ${values.method} rate ${values.rate}; ${oneClientRequests} requests on 1 connection, 50 on 50 (one each); latency in ms:`,
  );
  console.log("| mode | connections | completed | req/s | p50 | p99 | non-2xx | errors |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
} finally {
  await Promise.all(children.map(stop));
  const redis = new Redis(redisOptionsFromUrl(redisUrl));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
