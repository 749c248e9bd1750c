/**
 * Passwords, ACL users, TLS with a CA generated here, and a Redis that goes away: on a
 * redis-server each test file starts on a free loopback port (the shared Redis never sees any
 * of this), with real SDK clients, the real CLI and real worker processes.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tinyRandomModelsFile } from "../../bench/faults/tiny-models.js";
import { RedisAuthError, RedisConnectionError } from "../../src/errors/index.js";
import { type ClientOptions, CtxpressClient } from "../../src/sdk/client.js";
import { freePort, type OwnRedis, startRedis } from "../queue/own-redis.js";
import { uniquePrefix } from "../queue/redis-fixture.js";
import { generateCertificates, type TestCertificates } from "../queue/test-certificates.js";
import { spawnWorker, type WorkerProcess } from "./worker-process.js";

const PASSWORD = "s3cret-Pa55word";
const WRONG = "wrong-Pa55word";
const ACL_USER = "ctxapp";
const ACL_PASSWORD = "acl-Pa55word";
const ACL_PREFIX = "ctxacl";
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const modelsFile = tinyRandomModelsFile();
const document = { contexts: ["A short document about harbours and ships. ".repeat(20)] };

let redis: OwnRedis;
let tlsPort: number;
let certificates: TestCertificates;
const clients: CtxpressClient[] = [];
const workers: WorkerProcess[] = [];

async function connect(options: ClientOptions): Promise<CtxpressClient> {
  const client = await CtxpressClient.connect({ prefix: uniquePrefix("sec"), ...options });
  clients.push(client);
  return client;
}

function worker(args: readonly string[]): WorkerProcess {
  const started = spawnWorker(["--models", modelsFile, "--queues", "compress", ...args]);
  workers.push(started);
  return started;
}

/** The CLI's exit code and what it wrote. */
async function cli(args: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: repoRoot },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

beforeAll(async () => {
  certificates = generateCertificates();
  tlsPort = await freePort();
  redis = await startRedis(
    [
      "--requirepass",
      PASSWORD,
      "--user",
      ACL_USER,
      "on",
      `>${ACL_PASSWORD}`,
      `~${ACL_PREFIX}:*`,
      "&*",
      "+@all",
      "--tls-port",
      String(tlsPort),
      "--tls-cert-file",
      certificates.serverCert,
      "--tls-key-file",
      certificates.serverKey,
      "--tls-ca-cert-file",
      certificates.ca,
      "--tls-auth-clients",
      "yes",
    ],
    { ping: ["--no-auth-warning", "-a", PASSWORD] },
  );
});
afterEach(async () => {
  for (const each of workers.splice(0)) each.signal("SIGKILL", "group");
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(async () => {
  await redis?.stop();
});

describe("Redis credentials", () => {
  it("works with the password and with an ACL user kept to its prefix", async () => {
    const owner = await connect({ redisUrl: `redis://:${PASSWORD}@127.0.0.1:${redis.port}` });
    const queued = await owner.enqueueCompress(document, { method: "llmlingua" });
    expect((await owner.status(queued.id)).state).toBe("waiting");

    const url = `redis://${ACL_USER}:${ACL_PASSWORD}@127.0.0.1:${redis.port}`;
    const app = await connect({ redisUrl: url, prefix: ACL_PREFIX });
    const handle = await app.enqueueCompress(document, { method: "llmlingua" });
    expect((await app.status(handle.id)).state).toBe("waiting");
    // Outside its key pattern the ACL user is refused, and told so without its password.
    const outside = await connect({ redisUrl: url, prefix: "elsewhere" }).catch((e) => e);
    const denied =
      outside instanceof CtxpressClient
        ? await outside.enqueueCompress(document, { method: "llmlingua" }).catch((e) => e)
        : outside;
    expect(denied).toBeInstanceOf(RedisAuthError);
    expect(String(denied.message)).toMatch(/NOPERM/);
    expect(String(denied.message)).not.toContain(ACL_PASSWORD);
  });

  it("refuses a wrong password with a typed error that never shows it", async () => {
    const url = `redis://:${WRONG}@127.0.0.1:${redis.port}`;
    const error = await connect({ redisUrl: url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisAuthError);
    expect((error as Error).message).toContain(`redis://:***@127.0.0.1:${redis.port}`);
    expect((error as Error).message).not.toContain(WRONG);

    const closed = `redis://:${PASSWORD}@127.0.0.1:${await freePort()}`;
    const unreachable = await connect({ redisUrl: closed }).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(RedisConnectionError);
    expect((unreachable as Error).message).toMatch(/cannot connect to Redis at redis:\/\/:\*\*\*@/);
    expect((unreachable as Error).message).not.toContain(PASSWORD);

    const status = await cli(["status", "--redis-url", url]);
    expect(status.code).toBe(1);
    expect(status.output).toMatch(/refused the credentials/);
    expect(status.output).not.toContain(WRONG);
  });

  it("stops a worker whose password is refused, non-zero, after a few tries", async () => {
    const refused = worker(["--redis-url", `redis://:${WRONG}@127.0.0.1:${redis.port}`]);
    const { code } = await refused.exited;
    expect(code).toBe(1);
    expect(refused.output()).toMatch(/refused the credentials 3 times/);
    expect(refused.output()).not.toContain(WRONG);
  });
});

describe("Redis over TLS with a generated CA", () => {
  const tls = () => ({
    caFile: certificates.ca,
    certFile: certificates.clientCert,
    keyFile: certificates.clientKey,
  });
  const url = () => `rediss://:${PASSWORD}@127.0.0.1:${tlsPort}`;

  it("connects with the CA and a client certificate, and fails clearly without them", async () => {
    const client = await connect({ redisUrl: url(), redisTls: tls() });
    await client.enqueueCompress(document, { method: "llmlingua" });

    const withoutCa = await connect({
      redisUrl: url(),
      redisTls: { certFile: certificates.clientCert, keyFile: certificates.clientKey },
    }).catch((e: unknown) => e);
    expect(withoutCa).toBeInstanceOf(RedisConnectionError);
    expect((withoutCa as Error).message).toMatch(/self[- ]signed certificate/);

    const wrongName = await connect({
      redisUrl: url(),
      redisTls: { ...tls(), serverName: "not-the-server.example" },
    }).catch((e: unknown) => e);
    expect(wrongName).toBeInstanceOf(RedisConnectionError);
    expect((wrongName as Error).message).toMatch(/not-the-server\.example/);
  });

  it("runs a job on a worker configured by the --redis-tls-* flags", async () => {
    const prefix = uniquePrefix("tls");
    const client = await connect({ redisUrl: url(), redisTls: tls(), prefix });
    const tlsWorker = worker([
      "--redis-url",
      url(),
      "--prefix",
      prefix,
      "--redis-tls-ca",
      certificates.ca,
      "--redis-tls-cert",
      certificates.clientCert,
      "--redis-tls-key",
      certificates.clientKey,
      "--redis-tls-servername",
      "localhost",
    ]);
    await tlsWorker.waitForLine(/serving/);
    const handle = await client.enqueueCompress(document, { method: "llmlingua", rate: 0.5 });
    const result = await handle.result({ timeoutMs: 90_000 });
    expect(result.stats.counts.compressedTokens).toBeLessThan(result.stats.counts.originalTokens);
    expect(tlsWorker.output()).not.toContain(PASSWORD);
  });
});

describe("a client across a Redis restart", () => {
  it("waits for Redis to come back instead of failing, and keeps working", async () => {
    const own = await startRedis();
    try {
      const client = await connect({ redisUrl: `redis://127.0.0.1:${own.port}` });
      await client.enqueueCompress(document, { method: "llmlingua" });
      await own.stop();
      // Issued while Redis is away: the command waits for it.
      const counts = client.counts();
      const restarted = await startRedis([], { port: own.port });
      try {
        // Nothing was persisted, so the restarted Redis is empty; the point is the answer.
        expect(await counts).toMatchObject({ compress: { waiting: 0 } });
        const again = await client.enqueueCompress(document, { method: "llmlingua" });
        expect((await client.status(again.id)).state).toBe("waiting");
      } finally {
        await restarted.stop();
      }
    } finally {
      await own.stop();
    }
  });
});
