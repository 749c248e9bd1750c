#!/usr/bin/env node
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { exitCodeFor } from "../src/cli/exit-codes.js";
import {
  integer,
  modelsConfigFromFlags,
  number,
  type RedisFlags,
  withModelFlags,
  withRedisFlags,
} from "../src/cli/flags.js";
import { readJsonFile } from "../src/cli/io.js";
/**
 * The benchmark's command line, in a checkout: `npm run bench -- --suite quick` (flags below).
 * It lives in bench/ with the suites, corpora and report code it runs: the product (src/) never
 * imports bench/, and the installed package ships none of it.
 */
import { UsageError } from "../src/errors/index.js";
import { DatasetError } from "./runner/dataset.js";
import { ManifestMismatchError } from "./runner/results-file.js";
import { BenchUsageError, runSuite } from "./runner/suite-run.js";
import { SUITES, suiteSchema } from "./suites/index.js";

interface BenchFlags extends RedisFlags {
  suite: string;
  out?: string;
  models?: string;
  methods?: string[];
  rates?: number[];
  dataset?: string[];
  datasetMetric: "contains" | "subspan-em" | "exact";
  generated: boolean;
  queue?: boolean;
  workers: number;
  jobTimeout: number;
  reportOnly?: boolean;
}

function rate(value: string): number {
  const parsed = value.includes("/")
    ? Number(value.split("/")[0]) / Number(value.split("/")[1])
    : number(value);
  if (!(parsed > 0 && parsed <= 1))
    throw new InvalidArgumentError("a rate is a fraction in (0, 1], e.g. 0.25 or 1/4");
  return parsed;
}

function quote(arg: string): string {
  return /^[\w./:=,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * `npm run bench`: compression ratio vs answer accuracy (and latency) on generated tasks and
 * user datasets; resumable (results.jsonl), with a Markdown report and plots in --out.
 */
function benchCommand(): Command {
  return withModelFlags(withRedisFlags(new Command("bench")))
    .description(
      "benchmark every compressor × rate × task: accuracy, achieved ratio, latency; writes results.jsonl, report.md and plots (resumable)",
    )
    .option("-s, --suite <name|file>", "quick, full, or a suite JSON file", "quick")
    .option("--out <dir>", "output folder (default: bench-results/<suite>)")
    .option("--methods <names...>", 'only these methods ("none" is the uncompressed prompt)')
    .option(
      "--rates <fractions...>",
      "rates to ask for instead of the suite's (0.25 or 1/4)",
      (v: string, acc: number[] = []) => [...acc, rate(v)],
    )
    .option(
      "--dataset <files...>",
      "JSONL datasets ({context | documents, question, answers}) to run as well",
    )
    .addOption(
      new Option("--dataset-metric <metric>", "how dataset answers are scored")
        .choices(["contains", "subspan-em", "exact"])
        .default("contains"),
    )
    .option("--no-generated", "skip the suite's generated tasks (run only --dataset files)")
    .option("--queue", "compress through the queue (Redis) instead of in this process")
    .option(
      "-w, --workers <n>",
      "with --queue: worker processes to start here (0: use running workers)",
      integer,
      2,
    )
    .option(
      "--job-timeout <ms>",
      "with --queue: longest wait for one compression",
      integer,
      30 * 60_000,
    )
    .option(
      "--report-only",
      "rewrite report.md and the plots from --out's results, running nothing",
    )
    .action(async (flags: BenchFlags) => {
      const suite =
        SUITES[flags.suite] ??
        (flags.suite.endsWith(".json") ? suiteSchema.parse(await readJsonFile(flags.suite)) : null);
      if (suite === null)
        throw new UsageError(
          `unknown suite ${flags.suite}: use ${Object.keys(SUITES).join(", ")} or a .json file`,
        );
      const out = flags.out ?? path.join("bench-results", suite.name);
      try {
        const result = await runSuite({
          suite,
          out,
          models: await modelsConfigFromFlags(flags),
          ...(flags.methods ? { methods: flags.methods } : {}),
          ...(flags.rates ? { rates: flags.rates } : {}),
          ...(flags.dataset ? { datasets: flags.dataset } : {}),
          datasetMetric: flags.datasetMetric,
          generated: flags.generated,
          queue: flags.queue
            ? {
                redisUrl: flags.redisUrl,
                prefix: flags.prefix,
                workers: flags.workers,
                timeoutMs: flags.jobTimeout,
              }
            : null,
          reportOnly: flags.reportOnly === true,
          command: ["npm", "run", "bench", "--", ...process.argv.slice(2)].map(quote).join(" "),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(result.summary);
        process.stdout.write(
          `\nreport: ${result.reportFile}\nplots: ${result.plots.filter((p) => p.endsWith(".png")).join(", ")}\n`,
        );
      } catch (error) {
        if (
          error instanceof BenchUsageError ||
          error instanceof DatasetError ||
          error instanceof ManifestMismatchError
        ) {
          throw new UsageError(error.message);
        }
        throw error;
      }
    });
}

const program = benchCommand().exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  // commander already printed its own usage errors.
  if (!(error instanceof CommanderError)) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = exitCodeFor(error);
}
