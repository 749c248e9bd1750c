import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** One `ctxpress worker` process of a fault run and everything it logged. */
export interface FaultWorker {
  readonly process: ChildProcess;
  readonly pid: number;
  output: string;
  /** Set when the run SIGKILLed it. */
  killedAt: number | null;
}

/** Flags of a worker serving only the compress queue at `redisUrl` under `prefix`. */
export function compressWorkerArgs(
  redisUrl: string,
  prefix: string,
  concurrency: number,
): string[] {
  return [
    ...["--redis-url", redisUrl, "--prefix", prefix],
    ...["--queues", "compress", "--concurrency", String(concurrency)],
  ];
}

/**
 * Starts `ctxpress worker` with `args` in its own process group (so the run can clean up what a
 * broken design would leave behind) and collects its log. `checkout` (default: this one) is the
 * ctxpress checkout whose worker runs, so another design can be measured the same way.
 * @throws Error when the process cannot be started.
 */
export function spawnFaultWorker(args: readonly string[], checkout = repoRoot): FaultWorker {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "worker", ...args], {
    cwd: checkout,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error("could not start a worker process");
  const worker: FaultWorker = { process: child, pid: child.pid, output: "", killedAt: null };
  const append = (chunk: Buffer) => {
    worker.output += chunk.toString("utf8");
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return worker;
}

export function isServing(worker: FaultWorker): boolean {
  return (
    worker.killedAt === null && worker.process.exitCode === null && /serving/.test(worker.output)
  );
}

/**
 * A job event a worker logged: `<ISO time> compress <id>: started|completed|failed…|stalled…`
 * (`stalled`: this worker found the job of a dead worker and put it back in the queue).
 */
export interface JobEvent {
  readonly at: number;
  readonly jobId: string;
  readonly kind: "started" | "completed" | "failed" | "retrying" | "stalled";
}

export function jobEvents(output: string): JobEvent[] {
  const events: JobEvent[] = [];
  for (const line of output.split("\n")) {
    const match = /^(\S+) \w+ (\S+): (started|completed|failed|stalled)( \(will retry\))?/.exec(
      line,
    );
    if (!match) continue;
    const [, time = "", jobId = "", kind = "", retry] = match;
    events.push({
      at: Date.parse(time),
      jobId,
      kind: retry ? "retrying" : (kind as JobEvent["kind"]),
    });
  }
  return events;
}
