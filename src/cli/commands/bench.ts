import { Command } from "commander";
import { UsageError } from "../../errors/index.js";

/** What `ctxpress bench` answers: where the benchmark went, and how to run it. */
export const BENCH_MOVED = [
  "the benchmark is not part of the ctxpress package: its suites, corpora and report code live in",
  "the repository's bench/ folder (the product never imports them). In a clone of the repository:",
  "  npm install && npm run bench -- --suite quick [--dataset my.jsonl] [--models my-models.json]",
  "(the same flags `ctxpress bench` took; see docs/BENCHMARKS.md).",
].join("\n");

/**
 * `ctxpress bench`: kept so that scripts and habits calling it get a plain answer (exit code 2)
 * rather than "unknown command"; it accepts any arguments and runs nothing.
 */
export function benchCommand(): Command {
  return new Command("bench")
    .description("moved: run `npm run bench -- --suite quick` in a clone of the repository")
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(() => {
      throw new UsageError(BENCH_MOVED);
    });
}
