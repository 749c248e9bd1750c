import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "../../errors/index.js";
import {
  integer,
  modelsConfigFromFlags,
  number,
  type RedisFlags,
  withModelFlags,
  withRedisFlags,
} from "../flags.js";
import { readJsonFile } from "../io.js";

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
 * `ctxpress bench`: compression ratio vs answer accuracy (and latency) on generated tasks and
 * user datasets; resumable (results.jsonl), with a Markdown report and plots in --out.
 */
export function benchCommand(): Command {
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
      const [
        { SUITES, suiteSchema },
        { runSuite, BenchUsageError },
        { DatasetError },
        { ManifestMismatchError },
      ] = await Promise.all([
        import("../../../bench/suites/index.js"),
        import("../../../bench/runner/suite-run.js"),
        import("../../../bench/runner/dataset.js"),
        import("../../../bench/runner/results-file.js"),
      ]);
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
          command: ["ctxpress", ...process.argv.slice(2)].map(quote).join(" "),
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
