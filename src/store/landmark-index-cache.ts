import {
  buildLandmarkIndex,
  type IndexOutcome,
  type IndexRequest,
  indexKey,
  type LandmarkIndex,
  type LandmarkIndexKey,
  type LandmarkIndexProvider,
} from "../compressors/landmark/landmark-index.js";
import { MemoryRecords, RecordCache, type RecordStorage } from "./record-cache.js";

/** Where landmark indexes are kept: Redis (LandmarkIndexStore) or memory (`memoryLandmarkIndexes`). */
export type LandmarkIndexStorage = RecordStorage<LandmarkIndexKey, LandmarkIndex>;

/** Memory held by the in-process indexes by default: an index of 128K tokens is ~1 MB. */
export const DEFAULT_MEMORY_INDEX_BYTES = 32 * 1024 * 1024;

function indexId(key: LandmarkIndexKey): string {
  return `${key.modelId}\n${key.blockTokens}\n${key.documentSha256}`;
}

/** An index's size in memory: its vectors and four numbers per block. */
function indexBytes(index: LandmarkIndex): number {
  return index.vectors.byteLength + index.blocks.length * 4 * 8;
}

/**
 * Indexes in this process' memory, the least recently used dropped first.
 * @param maxBytes - default {@link DEFAULT_MEMORY_INDEX_BYTES}.
 */
export function memoryLandmarkIndexes(maxBytes = DEFAULT_MEMORY_INDEX_BYTES): LandmarkIndexStorage {
  return new MemoryRecords(indexId, maxBytes, indexBytes);
}

/**
 * Looks an index up in its storage and builds it on a miss. Concurrent requests for the same
 * index in this process share one build.
 */
export class LandmarkIndexCache implements LandmarkIndexProvider {
  readonly #records: RecordCache<LandmarkIndexKey, LandmarkIndex>;

  /** @param storage - default: this process' memory (`memoryLandmarkIndexes()`). */
  constructor(storage: LandmarkIndexStorage = memoryLandmarkIndexes()) {
    this.#records = new RecordCache(storage, indexId);
  }

  async index(request: IndexRequest): Promise<IndexOutcome> {
    const { value, built } = await this.#records.getOrBuild(indexKey(request), () =>
      buildLandmarkIndex(request),
    );
    return { index: value, built };
  }
}

let processIndexes: LandmarkIndexCache | undefined;

/** Indexes kept in this process' memory: the SDK's default when no store is configured. */
export function processLandmarkIndexes(): LandmarkIndexCache {
  processIndexes ??= new LandmarkIndexCache();
  return processIndexes;
}
