import { CommanderError } from "commander";
import { ZodError } from "zod";
import { CompressionInputError, ModelConfigError, UsageError } from "../errors/index.js";

export const EXIT_OK = 0;
/** Something failed while running: Redis down, a model that would not load, a failed job. */
export const EXIT_FAILURE = 1;
/** The command line or the input was wrong; running it again unchanged fails the same way. */
export const EXIT_USAGE = 2;

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (error instanceof UsageError || error instanceof ZodError) return EXIT_USAGE;
  if (error instanceof CompressionInputError || error instanceof ModelConfigError)
    return EXIT_USAGE;
  return EXIT_FAILURE;
}
