/**
 * BullMQ sandboxed processor for the compress queue. BullMQ forks a child process that imports
 * this file and keeps it for later jobs, so the models load once per child, and ONNX Runtime's
 * blocking `run()` never stalls the parent, which keeps renewing the job locks.
 */
import type { SandboxedJob } from "bullmq";
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
    (models) => models.scorer(),
    (context) => runCompressJob(job.data, context),
  );
}
