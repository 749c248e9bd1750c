/**
 * The job thread: one per worker process, started by `JobHost`. It runs every job of every queue
 * the process serves, concurrently, with one shared model set, so ONNX Runtime's blocking
 * `run()` never stalls the main thread, which renews the BullMQ job locks. A thread dies with
 * its process whatever kills it: nothing can be orphaned. An uncaught error ends the thread
 * (Node's default); the host then fails its running jobs for a retry and starts a fresh one.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runInContext } from "./job-context.js";
import { JOB_RUNNERS } from "./job-runners.js";
import {
  type FromJobThread,
  type JobThreadData,
  serializeError,
  type ToJobThread,
} from "./job-thread-protocol.js";
import { lazyProcessorContext } from "./processor-context.js";
import { throttleProgress } from "./progress.js";

const port = parentPort;
if (port === null) throw new Error("job-thread.ts runs as a worker thread (see job-host.ts)");
const post = (message: FromJobThread) => port.postMessage(message);
const { config } = workerData as JobThreadData;
const context = lazyProcessorContext(config, (message) => post({ type: "log", message }));
const running = new Map<number, AbortController>();

async function run({ runId, request }: Extract<ToJobThread, { type: "run" }>) {
  const controller = new AbortController();
  running.set(runId, controller);
  try {
    const value = await runInContext(JOB_RUNNERS[request.queue], request, await context(), {
      onProgress: throttleProgress(async (progress) => post({ type: "progress", runId, progress })),
      signal: controller.signal,
    });
    post({ type: "completed", runId, value });
  } catch (error) {
    post({ type: "failed", runId, error: serializeError(error) });
  } finally {
    running.delete(runId);
  }
}

port.on("message", (message: ToJobThread) => {
  if (message.type === "run") void run(message);
  else running.get(message.runId)?.abort();
});
post({ type: "ready" });
