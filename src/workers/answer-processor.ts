/**
 * BullMQ sandboxed processor for the answer queue: the decoder runs in a child process that
 * persists across jobs (see compress-processor.ts for why).
 */
import type { SandboxedJob } from "bullmq";
import { runAnswerJob } from "./answer-job.js";
import { runInContext } from "./job-context.js";

export default function processAnswerJob(
  job: SandboxedJob,
  token?: string,
  signal?: AbortSignal,
): Promise<unknown> {
  return runInContext(
    job,
    token,
    signal,
    (models) => models.decoder(),
    async (context) =>
      runAnswerJob(job.data, await job.getChildrenValues(), { ...context, jobId: String(job.id) }),
  );
}
