import { CtxpressError } from "./ctxpress-error.js";

/** The models or the store could not be set up in a worker process: nothing about the job is wrong. The parent stops that worker, so a broken install does not eat the queue one job at a time, and BullMQ retries the job elsewhere. Code `WORKER_SETUP`. */
export class WorkerSetupError extends CtxpressError {
  static override readonly code = "WORKER_SETUP";
  override readonly name = "WorkerSetupError";
}
