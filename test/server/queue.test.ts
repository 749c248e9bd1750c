/**
 * `ctxpress serve --queue` in front of a real `ctxpress worker` process on the test Redis (its
 * own key prefix): REST and gateway compressions run on the worker, jobs report progress over
 * Server-Sent Events, and the bull-board dashboard, loaded in headless Chromium, shows the queues
 * and the finished job.
 */
import type { Redis } from "ioredis";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenAiUpstream, startOpenAiUpstream } from "../../bench/server/openai-upstream.js";
import { deleteKeys, TEST_REDIS_URL, testRedis, uniquePrefix } from "../queue/redis-fixture.js";
import { spawnWorker, type WorkerProcess } from "../workers/worker-process.js";
import {
  LONG_CONTEXT,
  postJson,
  type ServeProcess,
  startServe,
  tinyModelsFile,
} from "./serve-fixture.js";

const CHROMIUM = process.env.CTXPRESS_CHROMIUM ?? "/usr/bin/chromium";

const prefix = uniquePrefix("serve");
let redis: Redis;
let upstream: OpenAiUpstream;
let worker: WorkerProcess;
let serve: ServeProcess;

beforeAll(async () => {
  redis = testRedis();
  upstream = await startOpenAiUpstream();
  const redisFlags = ["--redis-url", TEST_REDIS_URL, "--prefix", prefix];
  worker = spawnWorker([...redisFlags, "--models", tinyModelsFile(), "--queues", "compress"]);
  [serve] = await Promise.all([
    startServe(["--queue", ...redisFlags, "--upstream", upstream.baseUrl]),
    worker.waitForLine(/serving/, 120_000),
  ]);
}, 240_000);

afterAll(async () => {
  serve?.process.signal("SIGKILL", "group");
  worker?.signal("SIGKILL", "group");
  await upstream?.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const request = {
  contexts: [LONG_CONTEXT],
  question: "What did the keeper write?",
  options: { method: "longllmlingua", rate: 0.4 },
};

describe("ctxpress serve --queue", () => {
  it("compresses on the worker: REST, a job followed over SSE, and the gateway", async () => {
    const ready = (await (await fetch(`${serve.url}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ status: "ready", mode: "queue" });

    const direct = await postJson(`${serve.url}/v1/compress`, request);
    expect(direct.status).toBe(200);
    const result = (await direct.json()) as { method: string; prompt: string };
    expect(result.method).toBe("longllmlingua");
    expect(result.prompt.length).toBeLessThan(LONG_CONTEXT.length);

    const queued = await postJson(`${serve.url}/v1/jobs`, {
      type: "compress",
      ...request,
      options: { method: "llmlingua", rate: 0.3 },
    });
    expect(queued.status).toBe(202);
    const { id, events } = (await queued.json()) as { id: string; events: string };
    const stream = await (await fetch(`${serve.url}${events}`)).text();
    expect(stream).toMatch(/^event: (progress|completed)/);
    expect(stream).toMatch(/event: completed\ndata: \{"kind":"text",[^\n]*"method":"llmlingua"/);
    const status = (await (await fetch(`${serve.url}/v1/jobs/${id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ id, queue: "compress", state: "completed" });
    expect(status.result).toMatchObject({ method: "llmlingua" });

    const chat = await postJson(`${serve.url}/v1/chat/completions`, {
      model: "upstream-model",
      messages: [{ role: "user", content: `${LONG_CONTEXT}\n\nWhat did the keeper write?` }],
      ctxpress: { method: "llmlingua", rate: 0.5 },
    });
    expect(chat.status).toBe(200);
    expect(chat.headers.get("x-ctxpress-compression")).toBe("compressed");

    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toMatch(/ctxpress_queue_jobs\{queue="compress",state="completed"\} [1-9]/);
    expect(metrics).toMatch(
      /ctxpress_compression_ratio_count\{route="\/v1\/chat\/completions"\} 1/,
    );
  });

  it("refuses bad jobs before queueing them, and unknown jobs with 404", async () => {
    const bad = await postJson(`${serve.url}/v1/jobs`, {
      type: "compress",
      ...request,
      contexts: [],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("contexts");
    const badOption = await postJson(`${serve.url}/v1/jobs`, {
      type: "compress",
      ...request,
      options: { method: "llmlingua", rate: 0 },
    });
    expect(badOption.status).toBe(400);
    const missing = await fetch(`${serve.url}/v1/jobs/no-such-job`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      "job_not_found",
    );
  });

  it("shows the queues and the finished job on the dashboard in headless Chromium", async () => {
    const queued = await postJson(`${serve.url}/v1/jobs`, { type: "compress", ...request });
    const { id } = (await queued.json()) as { id: string };
    await fetch(`${serve.url}/v1/jobs/${id}/events`).then((response) => response.text());
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${serve.url}/admin/queues`);
      for (const queue of ["compress", "answer", "index"]) {
        await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 30_000 });
      }
      await page.goto(`${serve.url}/admin/queues/queue/compress?status=completed`);
      await page.getByText(id).first().waitFor({ timeout: 30_000 });
    } finally {
      await browser.close();
    }
  });
});
