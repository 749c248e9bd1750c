import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type ClientOptions, CtxpressClient } from "../../src/sdk/client.js";
import { deleteKeys, TEST_REDIS_URL, testRedis, uniquePrefix } from "../queue/redis-fixture.js";
import { spawnWorker, type WorkerProcess } from "./worker-process.js";

/**
 * The worker processes, SDK clients and key prefixes of a test file that runs `ctxpress worker`
 * in other processes against the test Redis. Registers the file's hooks: after each test its
 * workers are killed, its clients closed and its keys deleted.
 */
export interface WorkerFleet {
  /** The test Redis (open from beforeAll to afterAll). */
  readonly redis: Redis;
  /** A new key prefix, deleted after the test. */
  prefix(label: string): string;
  /** An SDK client on `prefix` (more client options in `options`), closed after the test. */
  connect(prefix: string, options?: ClientOptions): Promise<CtxpressClient>;
  /** A worker on `prefix` (more CLI flags in `args`), killed after the test; not yet serving. */
  spawn(prefix: string, args?: readonly string[]): WorkerProcess;
  /** `spawn`, returned once the worker logs that it serves. */
  start(prefix: string, args?: readonly string[]): Promise<WorkerProcess>;
}

export function workerFleet(): WorkerFleet {
  let redis: Redis | undefined;
  const running: WorkerProcess[] = [];
  const clients: CtxpressClient[] = [];
  const prefixes: string[] = [];

  beforeAll(() => {
    redis = testRedis();
  });
  afterEach(async () => {
    for (const worker of running.splice(0)) worker.signal("SIGKILL", "group");
    await Promise.all(clients.splice(0).map((client) => client.close()));
    for (const prefix of prefixes.splice(0)) await deleteKeys(fleet.redis, prefix);
  });
  afterAll(async () => {
    await redis?.quit();
  });

  const fleet: WorkerFleet = {
    get redis() {
      if (redis === undefined) throw new Error("the fleet's Redis opens in beforeAll");
      return redis;
    },
    prefix(label) {
      const prefix = uniquePrefix(label);
      prefixes.push(prefix);
      return prefix;
    },
    async connect(prefix, options = {}) {
      const client = await CtxpressClient.connect({
        redisUrl: TEST_REDIS_URL,
        prefix,
        defaultTimeoutMs: 90_000,
        ...options,
      });
      clients.push(client);
      return client;
    },
    spawn(prefix, args = []) {
      const worker = spawnWorker(["--prefix", prefix, "--redis-url", TEST_REDIS_URL, ...args]);
      running.push(worker);
      return worker;
    },
    async start(prefix, args = []) {
      const worker = fleet.spawn(prefix, args);
      await worker.waitForLine(/serving/);
      return worker;
    },
  };
  return fleet;
}
