import { UnrecoverableError } from "bullmq";
import { CompressionInputError, ContextWindowError } from "../errors/index.js";

/**
 * Bad input (including a compressed prompt too long for the decoder's window) fails the job for
 * good, with the readable reason; anything else (Redis, a decoder server, a bug) is thrown as it
 * is, so BullMQ retries it with backoff.
 */
export function asJobFailure(error: unknown): unknown {
  if (error instanceof CompressionInputError || error instanceof ContextWindowError) {
    return new UnrecoverableError(error.message);
  }
  return error;
}
