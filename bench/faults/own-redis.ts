import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";

/**
 * A `redis-server` of our own on a random loopback port, with AOF on, for faults that must never
 * touch a shared Redis (restarts, `CLIENT PAUSE`). Stopped by PID; its data folder is removed.
 */
export class OwnRedis {
  private server: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts one on a free random port in 20000–59999 (a few tries if a port is taken).
   * @throws Error when `redis-server` is not installed or never answers.
   */
  static async start(): Promise<OwnRedis> {
    const dir = mkdtempSync(path.join(tmpdir(), "ctxpress-faults-redis-"));
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const redis = new OwnRedis(20_000 + Math.floor(Math.random() * 40_000), dir);
      try {
        await redis.launch();
        return redis;
      } catch (error) {
        lastError = error;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start redis-server: ${String(lastError)}`);
  }

  /** SIGKILLs the server (a crash: only what AOF already holds survives); resolves once gone. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGKILL");
    await exited;
  }

  /** Starts it again on the same port and folder: it reloads its AOF. */
  restart(): Promise<void> {
    return this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const server = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--appendonly",
        "yes",
        "--save",
        "",
        "--protected-mode",
        "yes",
      ],
      { stdio: "ignore" },
    );
    this.server = server;
    const exited = new Promise<never>((_, reject) =>
      server.once("exit", (code) => reject(new Error(`redis-server exited with code ${code}`))),
    );
    exited.catch(() => {});
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const probe = new Redis({
        port: this.port,
        host: "127.0.0.1",
        lazyConnect: true,
        retryStrategy: () => null,
      });
      probe.on("error", () => {});
      try {
        await Promise.race([probe.connect().then(() => probe.ping()), exited]);
        // AOF replay done: a loading server answers PING with an error.
        return;
      } catch (error) {
        if (server.exitCode !== null) throw error;
      } finally {
        probe.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    server.kill("SIGKILL");
    throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
  }
}
