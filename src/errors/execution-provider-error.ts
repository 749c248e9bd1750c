import { CtxpressError } from "./ctxpress-error.js";

/** The requested execution provider cannot run here (not installed, no device). Code `EXECUTION_PROVIDER`. */
export class ExecutionProviderError extends CtxpressError {
  static override readonly code = "EXECUTION_PROVIDER";
  override readonly name = "ExecutionProviderError";
}
