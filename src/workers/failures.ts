import { UnrecoverableError } from "bullmq";
import { isCompressionInputError } from "../compressors/errors.js";
import { ContextWindowError } from "../model/errors.js";

/**
 * The models or the store could not be set up in this process: nothing about the job is wrong.
 * The parent stops this worker (so a broken install does not eat the queue one job at a time)
 * and BullMQ retries the job elsewhere. `name` is an own property so it survives the trip from
 * the child process to the parent.
 */
export class WorkerSetupError extends Error {
  override readonly name = "WorkerSetupError";
}

/**
 * Bad input (including a compressed prompt too long for the decoder's window) fails the job for
 * good, with the readable reason; anything else (Redis, a decoder server, a bug) is thrown as it
 * is, so BullMQ retries it with backoff.
 */
export function asJobFailure(error: unknown): unknown {
  if (isCompressionInputError(error) || error instanceof ContextWindowError) {
    return new UnrecoverableError(error.message);
  }
  return error;
}
