/**
 * ctxpress's own Redis keys, beside BullMQ's `<prefix>:<queue>:…` keys under the same prefix.
 * Job data never names a key: it carries hashes, and each side derives keys with its own prefix,
 * so a forged job cannot make a worker read an arbitrary key.
 */
export interface StoreKeys {
  /** A document blob, content-addressed by the sha256 of its UTF-8 bytes. */
  document(sha256: string): string;
  /** A compression result, keyed by the hash of its documents, options and question. */
  compression(cacheKey: string): string;
  /** An answer, keyed by its answer job's id. */
  answer(jobId: string): string;
  /** A landmark index: a hash of the embedder's id, the block size, the document's sha256. */
  landmarkIndex(modelKey: string, blockTokens: number, sha256: string): string;
  /** Gist summary vectors: a hash of the AutoCompressor's id, the segment length, the document. */
  summaryVectors(modelKey: string, segmentTokens: number, sha256: string): string;
  /** Sorted set: models fingerprint → when a worker running those models last said so (ms). */
  modelsSeen(): string;
  /** Sorted set: models fingerprint → when the latest worker running them started (ms). */
  modelsStarted(): string;
  /** Held by the one producer replacing a failed job, so two never both create it again. */
  enqueueLock(jobId: string): string;
}

export function storeKeys(prefix: string): StoreKeys {
  return {
    document: (sha256) => `${prefix}:doc:${sha256}`,
    compression: (cacheKey) => `${prefix}:result:compress:${cacheKey}`,
    answer: (jobId) => `${prefix}:result:answer:${jobId}`,
    landmarkIndex: (modelKey, blockTokens, sha256) =>
      `${prefix}:landmark:${modelKey}:${blockTokens}:${sha256}`,
    summaryVectors: (modelKey, segmentTokens, sha256) =>
      `${prefix}:gist:${modelKey}:${segmentTokens}:${sha256}`,
    modelsSeen: () => `${prefix}:models:seen`,
    modelsStarted: () => `${prefix}:models:started`,
    enqueueLock: (jobId) => `${prefix}:lock:enqueue:${jobId}`,
  };
}
