import { Command } from "commander";
import type { CompressionResult } from "../../compressors/types.js";
import { CtxpressClient, type JobHandle } from "../../sdk/client.js";
import type { AnswerResult } from "../../store/records.js";
import {
  type GenerationFlags,
  generationFromFlags,
  integer,
  type RedisFlags,
  type RequestFlags,
  redisSettingsFromFlags,
  requestFromFlags,
  requireQuestion,
  withGenerationFlags,
  withRedisFlags,
  withRequestFlags,
} from "../flags.js";
import { printResult } from "../format.js";
import { readDocuments } from "../io.js";
import { progressDisplay } from "../progress-bar.js";

type EnqueueFlags = RequestFlags &
  GenerationFlags &
  RedisFlags & { answer?: boolean; wait?: boolean; timeout: number; json?: boolean };

export function enqueueCommand(): Command {
  return withRedisFlags(withGenerationFlags(withRequestFlags(new Command("enqueue"))))
    .description("queue documents for ctxpress workers (start them with `ctxpress worker`)")
    .argument("[files...]", "documents, one context each; stdin when none")
    .option(
      "-a, --answer",
      "compress, then answer --question with the decoder (a flow of two jobs)",
    )
    .option("-w, --wait", "follow the job's progress and print its result")
    .option("--timeout <ms>", "with --wait: give up waiting after this long", integer, 600_000)
    .option("--json", "print JSON (the job id, or with --wait the whole result)")
    .action(async (files: string[], flags: EnqueueFlags) => {
      if (flags.answer) requireQuestion(flags);
      const { input, options } = requestFromFlags(await readDocuments(files), flags);
      const client = await CtxpressClient.connect({
        ...redisSettingsFromFlags(flags),
        defaultTimeoutMs: flags.timeout,
        ...(flags.maxDocumentChars !== undefined
          ? { maxDocumentChars: flags.maxDocumentChars }
          : {}),
      });
      try {
        const handle: JobHandle<CompressionResult | AnswerResult> = flags.answer
          ? await client.enqueueAnswer(input, options, generationFromFlags(flags))
          : await client.enqueueCompress(input, options);
        if (!flags.wait) {
          if (flags.json) {
            process.stdout.write(
              `${JSON.stringify({ id: handle.id, queue: handle.queue, deduplicated: handle.deduplicated, rerun: handle.rerun })}\n`,
            );
          } else {
            process.stdout.write(`${handle.id}\n`);
            if (handle.deduplicated)
              process.stderr.write("(an identical request was already queued)\n");
            if (handle.rerun)
              process.stderr.write("(an identical request had failed; it runs again)\n");
          }
          return;
        }
        const bar = progressDisplay();
        const result = handle.result();
        result.catch(() => {}); // awaited below, after the progress ends
        for await (const update of handle.progress()) bar.update(update);
        bar.stop();
        printResult(await result, flags.json === true);
      } finally {
        await client.close();
      }
    });
}
