import { CtxpressError } from "./ctxpress-error.js";

/** A command line or CLI input mistake found after commander's own parsing; running it again unchanged fails the same way. Code `USAGE`. */
export class UsageError extends CtxpressError {
  static override readonly code = "USAGE";
  override readonly name = "UsageError";
}
