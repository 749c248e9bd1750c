/**
 * BullMQ sandboxed processor for the landmark-index queue: the embedder runs in a child process
 * that persists across jobs (see compress-processor.ts for why).
 */
import type { SandboxedJob } from "bullmq";
import { runIndexJob } from "./index-job.js";
import { runInContext } from "./job-context.js";

export default function processIndexJob(
  job: SandboxedJob,
  token?: string,
  signal?: AbortSignal,
): Promise<unknown> {
  return runInContext(
    job,
    token,
    signal,
    (models) => models.embedder(),
    (context) => runIndexJob(job.data, context),
  );
}
