import { Command, Option } from "commander";
import { ANSWER_QUEUE, COMPRESS_QUEUE, INDEX_QUEUE } from "../../../queues/names.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit-codes.js";
import {
  integer,
  modelsConfigFromFlags,
  type RedisFlags,
  redisSettingsFromFlags,
  withModelFlags,
  withRedisFlags,
} from "../flags.js";

interface WorkerFlags extends RedisFlags {
  queues: string[];
  concurrency: number;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalled?: number;
  maxDocumentChars?: number;
  models?: string;
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

export function workerCommand(): Command {
  return withModelFlags(withRedisFlags(new Command("worker")))
    .description("serve the compress, answer and/or index queues until SIGTERM or SIGINT")
    .addOption(
      new Option("--queues <names...>", "queues to serve")
        .choices([COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE])
        .default([COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE]),
    )
    .option("-c, --concurrency <n>", "jobs at once per queue (all share one model set)", integer, 1)
    .option(
      "--lock-duration <ms>",
      "job lock time; a dead worker's job is retaken after it (default 10000)",
      integer,
    )
    .option(
      "--stalled-interval <ms>",
      "how often to look for jobs of dead workers (default 5000)",
      integer,
    )
    .option("--max-stalled <n>", "fail a job after it stalled more often (default 3)", integer)
    .option("--max-document-chars <n>", "refuse documents longer than this", integer)
    .action(async (flags: WorkerFlags) => {
      const [{ workerConfigSchema }, { closeOnSignals }, { startWorkers }] = await Promise.all([
        import("../../workers/config.js"),
        import("../../workers/shutdown.js"),
        import("../../workers/start-workers.js"),
      ]);
      const config = workerConfigSchema.parse({
        ...redisSettingsFromFlags(flags),
        queues: flags.queues,
        concurrency: flags.concurrency,
        lockDurationMs: flags.lockDuration,
        stalledIntervalMs: flags.stalledInterval,
        maxStalledCount: flags.maxStalled,
        maxDocumentChars: flags.maxDocumentChars,
        models: await modelsConfigFromFlags(flags),
      });
      const running = await startWorkers(config, log);
      closeOnSignals(running.close, log);
      log(
        `serving ${config.queues.join(", ")} (prefix ${config.prefix}, concurrency ${config.concurrency}, pid ${process.pid})`,
      );
      const { reason } = await running.closed;
      log(reason === null ? "stopped" : `stopped: ${reason}`);
      process.exitCode = reason === null ? EXIT_OK : EXIT_FAILURE;
    });
}
