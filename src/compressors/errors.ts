import type { z } from "zod";

type Issue = z.core.$ZodIssue;

function describe(issue: Issue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
  return `${where}: ${issue.message}`;
}

/**
 * Bad input or options: retrying cannot help, so workers fail such a job permanently. The
 * message lists every problem with its path; `issues` keeps zod's structured form. Checked by
 * `name` as well as `instanceof`, since the class does not survive a process boundary.
 */
export class CompressionInputError extends Error {
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
}

export function isCompressionInputError(error: unknown): error is CompressionInputError {
  return error instanceof Error && error.name === "CompressionInputError";
}
