import { ANSWER_QUEUE, COMPRESS_QUEUE, INDEX_QUEUE, type QueueName } from "../../queues/names.js";
import { requiredModel } from "../compressors/index.js";
import { runAnswerJob } from "./answer-job.js";
import { runCompressJob } from "./compress-job.js";
import { runIndexJob } from "./index-job.js";
import type { JobRunner } from "./job-context.js";

export const JOB_RUNNERS: Record<QueueName, JobRunner> = {
  [COMPRESS_QUEUE]: {
    // Only the model the method needs (the registry's `requiredModel`): an LLMLingua-2 job never
    // pays for loading the scorer.
    loadFirst: (models, data) =>
      models[requiredModel((data as RawCompressData)?.options?.method)]?.() ?? Promise.resolve(),
    run: (request, context) => runCompressJob(request.data, context),
  },
  [ANSWER_QUEUE]: {
    loadFirst: (models) => models.decoder(),
    run: (request, context) =>
      runAnswerJob(request.data, request.childrenValues, { ...context, jobId: request.jobId }),
  },
  [INDEX_QUEUE]: {
    loadFirst: (models) => models.embedder(),
    run: (request, context) => runIndexJob(request.data, context),
  },
};

/** Raw job data, not validated yet (the job's runner does that): only the method is read. */
type RawCompressData = { options?: { method?: unknown } } | null | undefined;
