import { CtxpressError } from "./ctxpress-error.js";

/** Invalid model configuration (provider config, scorer options, a method the configured models cannot run). Code `MODEL_CONFIG`. */
export class ModelConfigError extends CtxpressError {
  static override readonly code = "MODEL_CONFIG";
  override readonly name = "ModelConfigError";
}
