import { CtxpressError } from "./ctxpress-error.js";

/** A model folder, hub id or model file could not be found, downloaded or understood. Code `MODEL_LOAD`. */
export class ModelLoadError extends CtxpressError {
  static override readonly code = "MODEL_LOAD";
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
