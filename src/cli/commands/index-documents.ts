import { Command } from "commander";
import type { IndexJobResult } from "../../../queues/index-jobs.js";
import { CtxpressClient } from "../../sdk/client.js";
import {
  integer,
  modelsConfigFromFlags,
  type RedisFlags,
  redisSettingsFromFlags,
  withModelFlags,
  withRedisFlags,
} from "../flags.js";
import { printIndex } from "../format.js";
import { readDocuments } from "../io.js";
import { progressDisplay } from "../progress-bar.js";

type IndexFlags = RedisFlags & {
  blockTokens?: number;
  inProcess?: boolean;
  detach?: boolean;
  timeout: number;
  json?: boolean;
  models?: string;
  maxDocumentChars?: number;
};

/** Indexes each document here, with the models of --models, into the Redis index store. */
async function indexInProcess(documents: readonly string[], flags: IndexFlags): Promise<void> {
  const [{ indexDocument, connectIndexStore }, { createModels }] = await Promise.all([
    import("../../sdk/landmark-indexes.js"),
    import("../../model/models.js"),
  ]);
  const models = createModels(await modelsConfigFromFlags(flags));
  const store = await connectIndexStore(redisSettingsFromFlags(flags));
  try {
    for (const document of documents) {
      const bar = progressDisplay();
      const result = await indexDocument(document, {
        models,
        landmarkIndexes: store.provider,
        onProgress: (progress) => bar.update(progress),
        ...(flags.blockTokens !== undefined ? { blockTokens: flags.blockTokens } : {}),
        ...(flags.maxDocumentChars !== undefined
          ? { maxDocumentChars: flags.maxDocumentChars }
          : {}),
      }).finally(() => bar.stop());
      printIndex(result, flags.json === true);
    }
  } finally {
    await store.close();
    await models.dispose();
  }
}

/** Queues one index job per document for the workers; waits for each unless --detach. */
async function indexOnWorkers(documents: readonly string[], flags: IndexFlags): Promise<void> {
  const client = await CtxpressClient.connect({
    ...redisSettingsFromFlags(flags),
    defaultTimeoutMs: flags.timeout,
    ...(flags.maxDocumentChars !== undefined ? { maxDocumentChars: flags.maxDocumentChars } : {}),
  });
  try {
    const handles = [];
    for (const document of documents) {
      handles.push(
        await client.enqueueIndex(
          document,
          flags.blockTokens !== undefined ? { blockTokens: flags.blockTokens } : {},
        ),
      );
    }
    for (const handle of handles) {
      if (flags.detach) {
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ id: handle.id, queue: handle.queue, deduplicated: handle.deduplicated })}\n`
            : `${handle.id}\n`,
        );
        continue;
      }
      const bar = progressDisplay();
      const result = handle.result();
      result.catch(() => {}); // awaited below, after the progress ends
      for await (const update of handle.progress()) bar.update(update);
      bar.stop();
      printIndex((await result) as IndexJobResult, flags.json === true);
    }
  } finally {
    await client.close();
  }
}

export function indexCommand(): Command {
  return withModelFlags(withRedisFlags(new Command("index")))
    .description(
      "build the landmark index of documents (kept in Redis), so that landmark questions on them only embed the question",
    )
    .argument("[files...]", "documents to index; stdin when none")
    .option(
      "--block-tokens <n>",
      "tokens per block (landmark questions must use the same)",
      integer,
    )
    .option(
      "--in-process",
      "index in this process with --models instead of on a worker (Redis still keeps the index)",
    )
    .option("--detach", "print the index job ids instead of waiting for them")
    .option("--timeout <ms>", "give up waiting for a worker after this long", integer, 600_000)
    .option("--max-document-chars <n>", "refuse documents longer than this", integer)
    .option("--json", "print JSON")
    .action(async (files: string[], flags: IndexFlags) => {
      const documents = await readDocuments(files);
      await (flags.inProcess ? indexInProcess(documents, flags) : indexOnWorkers(documents, flags));
    });
}
