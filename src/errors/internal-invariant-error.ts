import { CtxpressError } from "./ctxpress-error.js";

/** A broken internal invariant (an index out of range that the code guarantees to be in range): a bug in ctxpress, never the caller's input. Code `INTERNAL_INVARIANT`. */
export class InternalInvariantError extends CtxpressError {
  static override readonly code = "INTERNAL_INVARIANT";
  override readonly name = "InternalInvariantError";
}
