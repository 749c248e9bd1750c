import type { Models } from "../model/models.js";

/**
 * `models` that log each model the first time it is handed out ("loaded scorer <id> in 812 ms"),
 * so a worker's log shows how many model copies it holds: one per model, whatever the
 * concurrency. Loading itself is unchanged (lazy, once per model, retried after a failure).
 */
export function withLoadLog(models: Models, log: (message: string) => void): Models {
  const logged = new WeakSet<object>();
  const logFirst =
    <T extends { readonly modelId: string }>(name: string, load: () => Promise<T>) =>
    async (): Promise<T> => {
      const startedAt = Date.now();
      const model = await load();
      if (!logged.has(model)) {
        logged.add(model);
        log(`loaded ${name} ${model.modelId} in ${Date.now() - startedAt} ms`);
      }
      return model;
    };
  return {
    ...models,
    scorer: logFirst("scorer", models.scorer),
    decoder: logFirst("decoder", models.decoder),
    ...(models.tokenClassifier
      ? { tokenClassifier: logFirst("token classifier", models.tokenClassifier) }
      : {}),
    embedder: logFirst("embedder", models.embedder),
    summaryCompressor: logFirst("summary compressor", models.summaryCompressor),
    summaryReader: logFirst("summary reader", models.summaryReader),
  };
}
