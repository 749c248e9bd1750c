import type { QueueName } from "../../queues/names.js";
import type { JobProgress } from "../../queues/schemas.js";
import { CtxpressError } from "../errors/ctxpress-error.js";
import type { WorkerConfig } from "./config.js";

/** What the job thread is started with (`workerData`): the worker's validated configuration. */
export interface JobThreadData {
  readonly config: WorkerConfig;
}

/** A job the main thread hands over: what its processor needs, read from BullMQ beforehand. */
export interface JobRequest {
  readonly queue: QueueName;
  readonly jobId: string;
  readonly data: unknown;
  /** An answer job's completed children (`job.getChildrenValues()`); empty for other queues. */
  readonly childrenValues: Record<string, unknown>;
}

export type ToJobThread =
  | { readonly type: "run"; readonly runId: number; readonly request: JobRequest }
  | { readonly type: "abort"; readonly runId: number };

/** An error as it crosses the thread boundary: structured clone would drop custom names. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A CtxpressError's stable code: with it, `instanceof` recognises the rebuilt error. */
  readonly code?: string;
}

export type FromJobThread =
  /** The thread imported its modules and takes jobs. */
  | { readonly type: "ready" }
  | { readonly type: "log"; readonly message: string }
  | { readonly type: "progress"; readonly runId: number; readonly progress: JobProgress }
  | { readonly type: "completed"; readonly runId: number; readonly value: unknown }
  | { readonly type: "failed"; readonly runId: number; readonly error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      ...(error instanceof CtxpressError ? { code: error.code } : {}),
    };
  }
  return { name: "Error", message: String(error) };
}

/**
 * The error again on the main thread, with its name: BullMQ recognises `UnrecoverableError` by
 * name, and the worker stops on a `WorkerSetupError` by name.
 */
export function deserializeError(serialized: SerializedError): Error {
  const error: Error & { code?: string } = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.code !== undefined) error.code = serialized.code;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}
