import type { SandboxedJob } from "bullmq";
import type { Progress } from "../compressors/types.js";
import type { Models } from "../model/models.js";
import type { Store } from "../store/store.js";
import { asJobFailure } from "./failures.js";
import { loadModel, processorContext } from "./processor-context.js";
import { throttleProgress } from "./progress.js";

/** What a job runner gets in a sandboxed child: the store, the models and the job's hooks. */
export interface JobContext {
  readonly store: Store;
  readonly models: Models;
  readonly maxDocumentChars?: number;
  readonly onProgress: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

/**
 * A sandboxed processor's body: the child's context, the model the queue needs loaded first (a
 * failure there is the worker's, not the job's), then the job, whose bad input fails for good.
 */
export async function runInContext<T>(
  job: SandboxedJob,
  signal: AbortSignal | undefined,
  load: (models: Models) => Promise<unknown>,
  run: (context: JobContext) => Promise<T>,
): Promise<T> {
  const { config, store, models } = await processorContext();
  await loadModel(() => load(models));
  try {
    return await run({
      store,
      models,
      ...(config.maxDocumentChars !== undefined
        ? { maxDocumentChars: config.maxDocumentChars }
        : {}),
      onProgress: throttleProgress((progress) => job.updateProgress(progress)),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    throw asJobFailure(error);
  }
}
