/**
 * BullMQ sandboxed processor for the compress queue. BullMQ forks a child process that imports
 * this file and keeps it for later jobs, so the models load once per child, and ONNX Runtime's
 * blocking `run()` never stalls the parent, which keeps renewing the job locks.
 */
import type { SandboxedJob } from "bullmq";
import { requiredModel } from "../compressors/index.js";
import type { Models } from "../model/models.js";
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
 * Loads, before the job runs, only the model its method cannot start without (the registry's
 * `requiredModel`): a missing or broken model fails the worker's setup, not the job, and an
 * LLMLingua-2 job never pays for loading the scorer. Anything else loads on first use.
 */
function loadFirstModel(models: Models, method: unknown): Promise<unknown> {
  return models[requiredModel(method)]?.() ?? Promise.resolve();
}
