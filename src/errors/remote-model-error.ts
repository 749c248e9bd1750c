import { CtxpressError } from "./ctxpress-error.js";

/**
 * A remote model server (OpenAI-compatible, vLLM) failed: network error, timeout, an HTTP error
 * status, or a response that does not match the expected schema. `retryable` says whether the
 * request was worth retrying (the client already did, `attempts` times). Code `REMOTE_MODEL`.
 */
export class RemoteModelError extends CtxpressError {
  static override readonly code = "REMOTE_MODEL";
  override readonly name = "RemoteModelError";
  readonly url: string;
  /** The last HTTP status, or null when no response came. */
  readonly status: number | null;
  readonly attempts: number;
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { url: string; status?: number | null; attempts: number; retryable: boolean },
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.url = details.url;
    this.status = details.status ?? null;
    this.attempts = details.attempts;
    this.retryable = details.retryable;
  }
}
