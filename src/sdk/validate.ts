import type { z } from "zod";
import { CompressionInputError } from "../errors/index.js";

/**
 * Parses one part of a request (generation settings, job data…) and reports problems the same
 * way the compressors do, as a `CompressionInputError` whose issue paths start with `what`.
 */
export function parseRequestPart<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CompressionInputError(
      parsed.error.issues.map((issue) => ({ ...issue, path: [what, ...issue.path] })),
    );
  }
  return parsed.data;
}
