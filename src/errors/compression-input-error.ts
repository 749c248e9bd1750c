import type { z } from "zod";
import { CtxpressError } from "./ctxpress-error.js";

type Issue = z.core.$ZodIssue;

function describe(issue: Issue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
  return `${where}: ${issue.message}`;
}

/**
 * Bad input or options: retrying cannot help, so workers fail such a job permanently. The
 * message lists every problem with its path; `issues` keeps zod's structured form. Code
 * `INVALID_INPUT`.
 */
export class CompressionInputError extends CtxpressError {
  static override readonly code = "INVALID_INPUT";
  override readonly name = "CompressionInputError";
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[]) {
    super(`Invalid compression request: ${issues.map(describe).join("; ")}`);
    this.issues = issues;
  }

  /** One issue that zod did not produce (a cross-field check). */
  static of(path: readonly PropertyKey[], message: string): CompressionInputError {
    return new CompressionInputError([
      { code: "custom", path: [...path], message, input: undefined },
    ]);
  }

  /** The same issues with `prefix` put before each path (where the checked value sits). */
  under(prefix: readonly PropertyKey[]): CompressionInputError {
    return new CompressionInputError(
      this.issues.map((issue) => ({ ...issue, path: [...prefix, ...issue.path] })),
    );
  }
}
