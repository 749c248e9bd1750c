import { CtxpressError } from "./ctxpress-error.js";

/** A prompt or sequence does not fit the model's context window. Code `CONTEXT_WINDOW`. */
export class ContextWindowError extends CtxpressError {
  static override readonly code = "CONTEXT_WINDOW";
  override readonly name = "ContextWindowError";

  constructor(
    message: string,
    /** Tokens the prompt or sequence needed. */
    readonly tokens: number,
    /** Tokens the model can take. */
    readonly contextWindow: number,
  ) {
    super(message);
  }
}
