import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A `ctxpress` command (a worker, a server) in its own process group (itself and anything it starts). */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything the worker logged so far. */
  output(): string;
  /** Resolves with the first log line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the whole group (`group`) or only the parent process. */
  signal(signal: NodeJS.Signals, target: "group" | "parent"): void;
  /** Whether any process of its group still runs (a child it started would outlive it there). */
  groupAlive(): boolean;
}

export function spawnWorker(args: readonly string[]): WorkerProcess {
  return spawnCli(["worker", ...args]);
}

/** `ctxpress <args>` from the checkout's sources, its output collected. */
export function spawnCli(args: readonly string[]): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const check of waiters) check();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output.split("\n").find((each) => pattern.test(each));
          if (line === undefined) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs} ms; the process said:\n${output}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    signal(signal, target) {
      if (child.pid === undefined) return;
      // The group may outlive its leader (a child it started), so it is signalled regardless.
      if (target === "parent" && (child.exitCode !== null || child.signalCode !== null)) return;
      try {
        process.kill(target === "group" ? -child.pid : child.pid, signal);
      } catch {
        // already gone
      }
    },
    groupAlive() {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, 0);
        return true;
      } catch {
        return false;
      }
    },
  };
}
