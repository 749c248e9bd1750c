/**
 * BullMQ sandboxed processor for the compress queue. BullMQ forks a child process that imports
 * this file and keeps it for later jobs, so the models load once per child, and ONNX Runtime's
 * blocking `run()` never stalls the parent, which keeps renewing the job locks.
 */
import type { SandboxedJob } from "bullmq";
import type { Models } from "../sdk/models.js";
import { runCompressJob } from "./compress-job.js";
import { runInContext } from "./job-context.js";

export default function processCompressJob(
  job: SandboxedJob,
  _token?: string,
  signal?: AbortSignal,
): Promise<unknown> {
  return runInContext(
    job,
    signal,
    (models) => loadFirstModel(models, job.data?.options?.method),
    (context) => runCompressJob(job.data, context),
  );
}

/**
 * The model a method cannot start without, loaded before the job runs so that a missing or broken
 * model fails the worker's setup, not the job. Only that one: an LLMLingua-2 job never pays for
 * loading the scorer. Anything else a method needs loads on first use.
 */
function loadFirstModel(models: Models, method: unknown): Promise<unknown> {
  switch (method) {
    case "llmlingua2":
      return models.tokenClassifier?.() ?? Promise.resolve();
    case "landmark":
      return models.embedder();
    case "gist":
      return models.summaryCompressor();
    default:
      return models.scorer();
  }
}
