/** Every stable error code; `CtxpressError#code` is one of these. */
export const ERROR_CODES = [
  "INVALID_INPUT",
  "MODEL_CONFIG",
  "MODEL_LOAD",
  "CONTEXT_WINDOW",
  "REMOTE_MODEL",
  "EXECUTION_PROVIDER",
  "REDIS_CONNECTION",
  "REDIS_AUTH",
  "CORRUPT_RECORD",
  "JOB_FAILED",
  "JOB_NOT_FOUND",
  "JOB_TIMEOUT",
  "WORKER_SETUP",
  "USAGE",
  "INTERNAL_INVARIANT",
] as const;

/** A stable, machine-readable error code: branch on it rather than on messages. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * The base of every error ctxpress throws. `code` (stable across releases) says what went wrong;
 * `message` says what to fix. Each subclass has its own `name` and `code`.
 *
 * Both are own properties, so they survive serialisation: BullMQ's sandboxed workers send a
 * child's error to the parent as a plain object of own properties. `instanceof` therefore also
 * recognises such a rebuilt error by its `code` (`error instanceof ContextWindowError` holds for
 * an `Error` whose `code` is `"CONTEXT_WINDOW"`, or which has no code and that `name`), and
 * `instanceof CtxpressError` holds for any error carrying one of {@link ERROR_CODES}.
 */
export abstract class CtxpressError extends Error {
  /** The code of errors of this class; each subclass sets its own. */
  static readonly code: ErrorCode;
  override readonly name: string = "CtxpressError";
  /** What went wrong, stable across releases. */
  readonly code: ErrorCode;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = (new.target as unknown as { readonly code: ErrorCode }).code;
  }

  /** `this` is the class `instanceof` was asked about: a subclass matches its own code only. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the class on the right of instanceof
    // biome-ignore lint/complexity/noUselessThisAlias: one named alias instead of four ignores
    const errorClass: { readonly code: ErrorCode; readonly name: string } = this;
    if (Function.prototype[Symbol.hasInstance].call(errorClass, value)) return true;
    if (!(value instanceof Error)) return false;
    const code = "code" in value ? value.code : undefined;
    if (errorClass === CtxpressError) return typeof code === "string" && KNOWN_CODES.has(code);
    // Errors serialised before codes existed carry only their name.
    return code === errorClass.code || (code === undefined && value.name === errorClass.name);
  }
}
