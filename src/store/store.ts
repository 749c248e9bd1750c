import type { RedisClient } from "../../queues/connection.js";
import { documentTtlSeconds, type Retention, resultTtlSeconds } from "../../queues/retention.js";
import { DocumentStore } from "./documents.js";
import { storeKeys } from "./keys.js";
import { LandmarkIndexStore } from "./landmark-index.js";
import { ModelsRegistry } from "./models-registry.js";
import { ResultStore } from "./results.js";
import { SummaryVectorStore } from "./summary-vectors.js";

export interface Store {
  readonly documents: DocumentStore;
  readonly results: ResultStore;
  /** Landmark indexes live as long as the documents they index. */
  readonly landmarkIndexes: LandmarkIndexStore;
  /** Gist summary vectors, too, live as long as their documents. */
  readonly summaryVectors: SummaryVectorStore;
  /** Which models the workers run: the models part of a job's identity. */
  readonly models: ModelsRegistry;
}

/** Documents and results under `prefix`, with TTLs that follow the job retention. */
export function createStore(redis: RedisClient, prefix: string, retention: Retention): Store {
  const keys = storeKeys(prefix);
  return {
    documents: new DocumentStore(redis, keys, documentTtlSeconds(retention)),
    results: new ResultStore(redis, keys, resultTtlSeconds(retention)),
    landmarkIndexes: new LandmarkIndexStore(redis, keys, documentTtlSeconds(retention)),
    summaryVectors: new SummaryVectorStore(redis, keys, documentTtlSeconds(retention)),
    models: new ModelsRegistry(redis, keys),
  };
}
