import type { Progress } from "../compressors/types.js";
import type { Models } from "../sdk/models.js";
import type { Store } from "../store/store.js";
import { asJobFailure } from "./failures.js";
import type { JobRunner } from "./job-runners.js";
import type { JobRequest } from "./job-thread-protocol.js";
import { loadModel, type ProcessorContext } from "./processor-context.js";

/** What a job runner gets in the job thread: the store, the models and the job's hooks. */
export interface JobContext {
  readonly store: Store;
  readonly models: Models;
  readonly maxDocumentChars?: number;
  readonly onProgress: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

/**
 * A job's body in the job thread: the model its queue needs loaded first (a failure there is the
 * worker's, not the job's), then the job, whose bad input fails for good.
 * @throws WorkerSetupError when the first model cannot load; `UnrecoverableError` for bad input.
 */
export async function runInContext(
  runner: JobRunner,
  request: JobRequest,
  { config, store, models }: ProcessorContext,
  hooks: { readonly onProgress: (progress: Progress) => void; readonly signal: AbortSignal },
): Promise<unknown> {
  await loadModel(() => runner.loadFirst(models, request.data));
  try {
    return await runner.run(request, {
      store,
      models,
      ...(config.maxDocumentChars !== undefined
        ? { maxDocumentChars: config.maxDocumentChars }
        : {}),
      ...hooks,
    });
  } catch (error) {
    throw asJobFailure(error);
  }
}
