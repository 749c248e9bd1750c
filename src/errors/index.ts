/** ctxpress' error hierarchy: one class per file, each with a stable `code`. */
export { CompressionInputError } from "./compression-input-error.js";
export { ContextWindowError } from "./context-window-error.js";
export { CorruptRecordError } from "./corrupt-record-error.js";
export { CtxpressError, ERROR_CODES, type ErrorCode } from "./ctxpress-error.js";
export { ExecutionProviderError } from "./execution-provider-error.js";
export { InternalInvariantError } from "./internal-invariant-error.js";
export { JobFailedError } from "./job-failed-error.js";
export { JobNotFoundError } from "./job-not-found-error.js";
export { JobTimeoutError } from "./job-timeout-error.js";
export { ModelConfigError } from "./model-config-error.js";
export { ModelLoadError } from "./model-load-error.js";
export { RedisAuthError } from "./redis-auth-error.js";
export { RedisConnectionError } from "./redis-connection-error.js";
export { RemoteModelError } from "./remote-model-error.js";
export { UsageError } from "./usage-error.js";
export { WorkerSetupError } from "./worker-setup-error.js";
