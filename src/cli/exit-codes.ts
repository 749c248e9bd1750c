import { CommanderError } from "commander";
import { ZodError } from "zod";
import { isCompressionInputError } from "../compressors/errors.js";
import { ModelConfigError } from "../model/errors.js";

export const EXIT_OK = 0;
/** Something failed while running: Redis down, a model that would not load, a failed job. */
export const EXIT_FAILURE = 1;
/** The command line or the input was wrong; running it again unchanged fails the same way. */
export const EXIT_USAGE = 2;

/** A mistake in how the command was called, found after commander's own parsing. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (error instanceof UsageError || error instanceof ZodError) return EXIT_USAGE;
  if (isCompressionInputError(error) || error instanceof ModelConfigError) return EXIT_USAGE;
  return EXIT_FAILURE;
}
