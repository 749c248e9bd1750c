import type { CompressionResult } from "../compressors/types.js";
import type { ResultStore } from "./results.js";

/**
 * The id of the model that fills a role of `CompressionStats.models` ("scorer", "embedder",
 * "tokenizer", …) in this process, or null when the process has no such model.
 */
export type ModelIdLookup = (role: string) => Promise<string | null>;

/**
 * Stored compressions, reused only when every model that computed them is still the one in use.
 * The cache key already names the request (document hashes, method, options, question) and the
 * models' configuration; the ids recorded in the result add the weights: the embedder's id holds
 * a digest of its weights, so retraining it in place stops old results (and old landmark indexes)
 * from being served. A result whose models differ is left to be overwritten by the new one.
 */
export class CompressionCache {
  constructor(
    private readonly results: ResultStore,
    private readonly currentModelId: ModelIdLookup,
  ) {}

  async get(cacheKey: string): Promise<CompressionResult | null> {
    const stored = await this.results.getCompression(cacheKey);
    if (stored === null) return null;
    for (const [role, id] of Object.entries(stored.stats.models)) {
      if ((await this.currentModelId(role)) !== id) return null;
    }
    return stored;
  }

  put(cacheKey: string, result: CompressionResult): Promise<void> {
    return this.results.putCompression(cacheKey, result);
  }
}

/** Models as the cache sees them: loaders by kind, each result carrying its `modelId`. */
export interface IdentifiedModels {
  scorer(): Promise<{ readonly modelId: string }>;
  embedder?(): Promise<{ readonly modelId: string }>;
  tokenClassifier?(): Promise<{ readonly modelId: string }>;
  summaryCompressor?(): Promise<{ readonly modelId: string }>;
}

/** Roles compressors record in their stats, mapped to the loader of the model filling them. */
export function modelIdLookup(models: IdentifiedModels): ModelIdLookup {
  const loaders: Record<string, (() => Promise<{ readonly modelId: string }>) | undefined> = {
    scorer: () => models.scorer(),
    tokenizer: () => models.scorer(),
    embedder: models.embedder && (() => models.embedder?.() as Promise<{ modelId: string }>),
    classifier:
      models.tokenClassifier && (() => models.tokenClassifier?.() as Promise<{ modelId: string }>),
    gist:
      models.summaryCompressor &&
      (() => models.summaryCompressor?.() as Promise<{ modelId: string }>),
  };
  return async (role) => {
    const load = loaders[role];
    return load === undefined ? null : (await load()).modelId;
  };
}
