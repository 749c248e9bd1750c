import type { Progress } from "../compressors/types.js";
import type { Models } from "../model/models.js";
import type { Store } from "../store/store.js";
import { asJobFailure } from "./failures.js";
import type { JobRequest } from "./job-thread-protocol.js";

/** How the job thread runs one queue's jobs. */
export interface JobRunner {
  /**
   * Loads, before the job runs, the model it cannot start without: a missing or broken model
   * then fails the worker's setup, not the job. Anything else loads on first use.
   */
  loadFirst(models: Models, data: unknown): Promise<unknown>;
  run(request: JobRequest, context: JobContext): Promise<unknown>;
}

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
