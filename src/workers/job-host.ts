import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { JobProgress } from "../../queues/schemas.js";
import { WorkerSetupError } from "../errors/index.js";
import type { WorkerConfig } from "./config.js";
import {
  deserializeError,
  type FromJobThread,
  type JobRequest,
  type JobThreadData,
  type ToJobThread,
} from "./job-thread-protocol.js";

interface Run {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress(progress: JobProgress): void;
}

/** The thread's entry next to this module: .ts from source, .js when built. */
const THREAD_ENTRY = new URL(
  `./job-thread${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/**
 * The main thread's side of the job thread (job-thread.ts): hands it jobs and passes back their
 * progress and outcome. If the thread dies (an uncaught error, out of memory), its running jobs
 * fail with a retryable error and the next job starts a fresh thread.
 */
export class JobHost {
  private thread: Promise<Worker> | null = null;
  /** The thread once it has said it is ready; a thread that dies before is a setup failure. */
  private ready: Worker | null = null;
  private readonly runs = new Map<number, Run>();
  private nextRunId = 1;
  private closing = false;

  constructor(
    private readonly config: WorkerConfig,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Starts the thread and waits until it has imported its modules.
   * @throws WorkerSetupError when it cannot (a broken install), so the worker stops at startup.
   */
  async start(): Promise<void> {
    await this.ensureThread();
  }

  /**
   * Runs one job in the thread; `signal` (BullMQ's cancellation) aborts it there.
   * @throws the job's error, with its name (`UnrecoverableError`, `WorkerSetupError`…).
   */
  async run(
    request: JobRequest,
    onProgress: (progress: JobProgress) => void,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const thread = await this.ensureThread();
    const runId = this.nextRunId++;
    const post = (message: ToJobThread) => thread.postMessage(message);
    const abort = () => post({ type: "abort", runId });
    signal?.addEventListener("abort", abort, { once: true });
    try {
      return await new Promise((resolve, reject) => {
        this.runs.set(runId, { resolve, reject, onProgress });
        post({ type: "run", runId, request });
      });
    } finally {
      this.runs.delete(runId);
      signal?.removeEventListener("abort", abort);
    }
  }

  /** Ends the thread (its models and store connection go with it). */
  async close(): Promise<void> {
    this.closing = true;
    const thread = this.thread;
    this.thread = null;
    await thread?.then((worker) => worker.terminate()).catch(() => {});
  }

  private ensureThread(): Promise<Worker> {
    this.thread ??= this.spawn().catch((error: unknown) => {
      this.thread = null;
      throw new WorkerSetupError(
        `the job thread could not start: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return this.thread;
  }

  private spawn(): Promise<Worker> {
    const thread = newThread({ config: this.config });
    return new Promise((resolve, reject) => {
      let lastError: Error | null = null;
      thread.on("message", (message: FromJobThread) => {
        if (message.type === "ready") {
          this.ready = thread;
          resolve(thread);
        } else if (message.type === "log") this.log(message.message);
        else if (message.type === "progress")
          this.runs.get(message.runId)?.onProgress(message.progress);
        else if (message.type === "completed") this.runs.get(message.runId)?.resolve(message.value);
        else this.runs.get(message.runId)?.reject(deserializeError(message.error));
      });
      thread.on("error", (error) => {
        lastError = error;
      });
      thread.once("exit", (code) => {
        const reason = `the job thread stopped (exit code ${code}${lastError ? `: ${lastError.message}` : ""})`;
        reject(new Error(reason));
        if (this.closing) return;
        this.log(`${reason}; its running jobs will be retried`);
        if (this.ready === thread) {
          this.ready = null;
          this.thread = null;
        }
        for (const run of this.runs.values()) run.reject(new Error(reason));
      });
    });
  }
}

/**
 * From source the entry is TypeScript, and worker threads do not inherit the tsx loader that
 * runs this thread: the thread registers it before importing the entry.
 */
function newThread(data: JobThreadData): Worker {
  if (!THREAD_ENTRY.pathname.endsWith(".ts")) return new Worker(THREAD_ENTRY, { workerData: data });
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(THREAD_ENTRY.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}
