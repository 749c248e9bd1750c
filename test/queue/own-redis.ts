import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A redis-server this test started on a free loopback port, for what the shared Redis must never
 * see (passwords, ACL users, TLS, restarts, cluster mode). Nothing is persisted.
 */
export interface OwnRedis {
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything redis-server logged. */
  output(): string;
  /** Stops it (SIGKILL by PID) and waits for the exit. */
  stop(): Promise<void>;
}

/** A free loopback port (for Redis Cluster, one whose +10000 bus port is free too). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (port + 10000 < 65536 && (await listenOnce(port + 10000).catch(() => 0)) !== 0) return port;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts `redis-server` with `args` after the defaults (loopback, no persistence, a private
 * working directory), on `port` (a free one when absent), and waits until it accepts
 * connections. `ping` is the redis-cli arguments that prove it (default: a plain PING).
 */
export async function startRedis(
  args: readonly string[] = [],
  { port, ping }: { port?: number; ping?: readonly string[] } = {},
): Promise<OwnRedis> {
  const chosen = port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), "ctxpress-redis-"));
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(chosen),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const redis: OwnRedis = {
    port: chosen,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await run("redis-cli", ["-p", String(chosen), ...(ping ?? []), "PING"]);
      if (/Ready to accept connections/.test(output)) return redis;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await redis.stop();
      throw new Error(`redis-server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs redis-cli with `args`; resolves with its stdout. */
export async function redisCli(args: readonly string[]): Promise<string> {
  return (await run("redis-cli", [...args])).stdout;
}
