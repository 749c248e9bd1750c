import { CtxpressError } from "./ctxpress-error.js";

/** A record read from Redis does not match its schema or its key. Code `CORRUPT_RECORD`. */
export class CorruptRecordError extends CtxpressError {
  static override readonly code = "CORRUPT_RECORD";
  override readonly name = "CorruptRecordError";

  constructor(key: string, issues: string) {
    super(`stored record ${key} is not valid: ${issues}`);
  }
}
