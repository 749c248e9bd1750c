import { Command } from "commander";
import type { InProcessOptions } from "../../sdk/in-process.js";
import {
  type GenerationFlags,
  generationFromFlags,
  modelsConfigFromFlags,
  type RedisFlags,
  type RequestFlags,
  redisSettingsFromFlags,
  requestFromFlags,
  requireQuestion,
  withGenerationFlags,
  withModelFlags,
  withRedisFlags,
  withRequestFlags,
} from "../flags.js";
import { printAnswer, printCompression } from "../format.js";
import { readDocuments } from "../io.js";
import { progressDisplay } from "../progress-bar.js";

type InProcessFlags = RequestFlags &
  GenerationFlags &
  RedisFlags & { models?: string; json?: boolean; indexStore?: boolean };

type Sdk = typeof import("../../sdk/in-process.js");

/**
 * Runs `work` with models from the flags and a progress bar, then releases both. The SDK (and
 * with it ONNX Runtime and transformers.js) loads only here, so other commands start faster.
 */
async function inProcess<T>(
  files: string[],
  flags: InProcessFlags,
  work: (
    sdk: Sdk,
    request: ReturnType<typeof requestFromFlags>,
    env: InProcessOptions,
  ) => Promise<T>,
): Promise<T> {
  const request = requestFromFlags(await readDocuments(files), flags);
  const [sdk, { createModels }] = await Promise.all([
    import("../../sdk/in-process.js"),
    import("../../model/models.js"),
  ]);
  const models = createModels(await modelsConfigFromFlags(flags));
  const indexes = flags.indexStore
    ? await (await import("../../sdk/landmark-indexes.js")).connectIndexStore({
        ...redisSettingsFromFlags(flags),
      })
    : null;
  const bar = progressDisplay();
  try {
    return await work(sdk, request, {
      models,
      ...(indexes
        ? { landmarkIndexes: indexes.provider, summaryVectors: indexes.summaryVectors }
        : {}),
      onProgress: (progress) => bar.update(progress),
      ...(flags.maxDocumentChars !== undefined ? { maxDocumentChars: flags.maxDocumentChars } : {}),
    });
  } finally {
    bar.stop();
    await indexes?.close();
    await models.dispose();
  }
}

/** Landmark methods read and keep their indexes in Redis with --index-store. */
function withIndexStoreFlags(command: Command): Command {
  return withRedisFlags(command).option(
    "--index-store",
    "keep landmark indexes and gist summary vectors in Redis (--redis-url, --prefix), where `ctxpress index` and workers keep theirs, instead of this run's memory",
  );
}

export function compressCommand(): Command {
  return withIndexStoreFlags(withModelFlags(withRequestFlags(new Command("compress"))))
    .description("compress documents in this process (no Redis needed)")
    .argument("[files...]", "documents, one context each; stdin when none")
    .option("--json", "print the whole result (prompt, kept spans, stats) as JSON")
    .action(async (files: string[], flags: InProcessFlags) => {
      const result = await inProcess(files, flags, (sdk, { input, options }, env) =>
        sdk.compress(input, options, env),
      );
      printCompression(result, flags.json === true);
    });
}

export function answerCommand(): Command {
  return withIndexStoreFlags(
    withGenerationFlags(withModelFlags(withRequestFlags(new Command("answer")))),
  )
    .description("compress documents, then answer the question with the decoder, in this process")
    .argument("[files...]", "documents, one context each; stdin when none")
    .option("--json", "print the answer with all stats as JSON")
    .action(async (files: string[], flags: InProcessFlags) => {
      requireQuestion(flags);
      const result = await inProcess(files, flags, (sdk, { input, options }, env) =>
        sdk.compressThenAnswer(input, {
          ...env,
          compression: options,
          generation: generationFromFlags(flags),
        }),
      );
      printAnswer(result, flags.json === true);
    });
}
