import { Command } from "commander";
import { UsageError } from "../../errors/index.js";
import { CtxpressClient } from "../../sdk/client.js";
import { type RedisFlags, redisSettingsFromFlags, withRedisFlags } from "../flags.js";
import { printResult } from "../format.js";

type StatusFlags = RedisFlags & { json?: boolean; result?: boolean };

export function statusCommand(): Command {
  return withRedisFlags(new Command("status"))
    .description(
      "show a job (state, progress, failure reason, result) or, without an id, queue counts",
    )
    .argument("[job-id]", "a job id printed by `ctxpress enqueue`")
    .option("--json", "print JSON")
    .option("--result", "print the finished job's stored result instead, as `enqueue --wait` does")
    .action(async (jobId: string | undefined, flags: StatusFlags) => {
      const client = await CtxpressClient.connect({
        ...redisSettingsFromFlags(flags),
      });
      try {
        if (flags.result) {
          if (jobId === undefined) throw new UsageError("--result needs a job id");
          const handle = await client.job(jobId);
          printResult(await handle.result({ timeoutMs: 1000 }), flags.json === true);
          return;
        }
        const report = jobId === undefined ? await client.counts() : await client.status(jobId);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        for (const [key, value] of Object.entries(report)) {
          process.stdout.write(
            `${key}: ${typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}\n`,
          );
        }
      } finally {
        await client.close();
      }
    });
}
