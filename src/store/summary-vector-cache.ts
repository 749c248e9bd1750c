import {
  type StoredSummary,
  type SummarizeRequest,
  type SummaryOutcome,
  type SummaryVectorProvider,
  type SummaryVectorsKey,
  summarizeDocument,
  summaryKey,
} from "../compressors/gist/summary-vectors.js";
import { MemoryRecords, RecordCache, type RecordStorage } from "./record-cache.js";

/** Where summaries are kept: Redis (SummaryVectorStore) or memory (`memorySummaryVectors`). */
export type SummaryStorage = RecordStorage<SummaryVectorsKey, StoredSummary>;

/** Memory held by in-process summaries by default: 16K tokens at 16x with d=256 is ~1 MB. */
export const DEFAULT_MEMORY_SUMMARY_BYTES = 32 * 1024 * 1024;

function summaryId(key: SummaryVectorsKey): string {
  return `${key.modelId}\n${key.segmentTokens}\n${key.documentSha256}`;
}

/** A summary's size in memory: its vectors and four numbers per segment. */
function summaryBytes(summary: StoredSummary): number {
  return summary.vectors.byteLength + summary.blocks.length * 4 * 8;
}

/**
 * Summaries in this process' memory, the least recently used dropped first.
 * @param maxBytes - default {@link DEFAULT_MEMORY_SUMMARY_BYTES}.
 */
export function memorySummaryVectors(maxBytes = DEFAULT_MEMORY_SUMMARY_BYTES): SummaryStorage {
  return new MemoryRecords(summaryId, maxBytes, summaryBytes);
}

/**
 * Summaries looked up in a storage and computed on a miss; requests for the same document that
 * arrive while it is being compressed in this process wait for that one computation.
 */
export class SummaryVectorCache implements SummaryVectorProvider {
  readonly #records: RecordCache<SummaryVectorsKey, StoredSummary>;

  /** @param storage - default: this process' memory (`memorySummaryVectors()`). */
  constructor(storage: SummaryStorage = memorySummaryVectors()) {
    this.#records = new RecordCache(storage, summaryId);
  }

  read(key: SummaryVectorsKey): Promise<StoredSummary | null> {
    return this.#records.read(key);
  }

  async summarize(request: SummarizeRequest): Promise<SummaryOutcome> {
    const { value, built } = await this.#records.getOrBuild(summaryKey(request), () =>
      summarizeDocument(request),
    );
    return { summary: value, computed: built };
  }
}

let processSummaries: SummaryVectorCache | undefined;

/** Summaries kept in this process' memory: the SDK's default when no store is configured. */
export function processSummaryVectors(): SummaryVectorCache {
  processSummaries ??= new SummaryVectorCache();
  return processSummaries;
}
