import {
  ExecutionProviderError,
  ModelConfigError,
  ModelLoadError,
} from "../../src/errors/index.js";

/** Errors that mean "this method's models cannot run here", not "it failed on this input". */
export function isModelUnavailableError(error: unknown): boolean {
  return (
    error instanceof ModelLoadError ||
    error instanceof ModelConfigError ||
    error instanceof ExecutionProviderError
  );
}

/** "Name: message", as records and logs show a failure. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
