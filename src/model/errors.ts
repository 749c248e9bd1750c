/**
 * Typed errors of the model layer. Workers and the CLI tell a permanent failure (missing model
 * files, bad configuration, a prompt that cannot fit) from a transient one (a remote server that
 * is down) by class, and show `message`, which always names what to fix.
 */

/** A model folder, hub id or model file could not be found, downloaded or understood. */
export class ModelLoadError extends Error {
  override readonly name = "ModelLoadError";
  /** Files that were looked for and not found (relative to the model folder or hub repo). */
  readonly missingFiles: readonly string[];

  constructor(
    message: string,
    options: { missingFiles?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.missingFiles = options.missingFiles ?? [];
  }
}

/** The requested execution provider cannot run here (not installed, no device). */
export class ExecutionProviderError extends Error {
  override readonly name = "ExecutionProviderError";
}

/** A prompt or sequence does not fit the model's context window. */
export class ContextWindowError extends Error {
  override readonly name = "ContextWindowError";
  constructor(
    message: string,
    readonly tokens: number,
    readonly contextWindow: number,
  ) {
    super(message);
  }
}

/** Invalid configuration handed to the model layer (provider config, scorer options). */
export class ModelConfigError extends Error {
  override readonly name = "ModelConfigError";
}

/**
 * A remote model server (OpenAI-compatible, vLLM) failed: network error, timeout, an HTTP error
 * status, or a response that does not match the expected schema. `retryable` says whether the
 * request was worth retrying (the client already did, `attempts` times).
 */
export class RemoteModelError extends Error {
  override readonly name = "RemoteModelError";
  readonly url: string;
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
