import type { SummaryCompressor } from "../../model/types.js";
import type { Block } from "../landmark/blocking.js";
import { documentSha256 } from "../landmark/landmark-index.js";
import type { SummaryVectorsKey } from "../types.js";
import { segmentDocument } from "./segments.js";

/**
 * A document's summary vectors: its segments' vectors accumulated in order (segment i was read
 * after the vectors of segments 0..i-1). They depend only on the text, the model's weights and
 * the segment length, so they are computed once and reused for every question on the document.
 */
export interface StoredSummary extends SummaryVectorsKey {
  readonly summaryTokens: number;
  readonly hiddenSize: number;
  readonly blocks: readonly Block[];
  /** The document's tokens, BOS included. */
  readonly tokens: number;
  /** blocks.length × κ × hiddenSize floats, row-major. */
  readonly vectors: Float32Array;
  readonly createdAt: number;
  readonly buildMs: number;
}

/** Where summaries are kept: Redis in workers (src/store/summary-vectors.ts), memory otherwise. */
export interface SummaryStorage {
  get(key: SummaryVectorsKey): Promise<StoredSummary | null>;
  put(summary: StoredSummary): Promise<void>;
}

export interface SummarizeRequest {
  readonly text: string;
  readonly segmentTokens: number;
  readonly compressor: SummaryCompressor;
  readonly signal?: AbortSignal | undefined;
  /** Called after each segment with how many of the document's segments are done. */
  readonly onSegment?: ((done: number, total: number) => void) | undefined;
}

export interface SummaryOutcome {
  readonly summary: StoredSummary;
  /** False when the vectors were already stored: nothing was compressed. */
  readonly computed: boolean;
}

/** Finds a document's vectors, compressing (and keeping) them when there are none yet. */
export interface SummaryVectorProvider {
  summarize(request: SummarizeRequest): Promise<SummaryOutcome>;
  /** Stored vectors only (the answer path): null when they expired or were never written. */
  read(key: SummaryVectorsKey): Promise<StoredSummary | null>;
}

export function summaryKey(request: SummarizeRequest): SummaryVectorsKey {
  return {
    documentSha256: documentSha256(request.text),
    modelId: request.compressor.modelId,
    segmentTokens: request.segmentTokens,
  };
}

/** Compresses a document segment by segment, each read after all earlier segments' vectors. */
export async function summarizeDocument(request: SummarizeRequest): Promise<StoredSummary> {
  const started = performance.now();
  const { compressor, signal } = request;
  const document = segmentDocument(request.text, compressor.tokenizer, request.segmentTokens);
  const width = compressor.summaryTokens * compressor.hiddenSize;
  const vectors = new Float32Array(document.segments.length * width);
  for (const [i, segment] of document.segments.entries()) {
    signal?.throwIfAborted();
    vectors.set(await compressor.summarize(segment, vectors.subarray(0, i * width)), i * width);
    request.onSegment?.(i + 1, document.segments.length);
  }
  return {
    ...summaryKey(request),
    summaryTokens: compressor.summaryTokens,
    hiddenSize: compressor.hiddenSize,
    blocks: document.blocks,
    tokens: document.tokens,
    vectors,
    createdAt: Date.now(),
    buildMs: performance.now() - started,
  };
}

function keyString(key: SummaryVectorsKey): string {
  return `${key.modelId}\n${key.segmentTokens}\n${key.documentSha256}`;
}

/**
 * Summaries looked up in a storage and computed on a miss; requests for the same document that
 * arrive while it is being compressed in this process wait for that one computation.
 */
export class SummaryVectorCache implements SummaryVectorProvider {
  readonly #pending = new Map<string, Promise<StoredSummary>>();

  constructor(private readonly storage: SummaryStorage) {}

  read(key: SummaryVectorsKey): Promise<StoredSummary | null> {
    return this.storage.get(key);
  }

  async summarize(request: SummarizeRequest): Promise<SummaryOutcome> {
    const key = summaryKey(request);
    const found = await this.storage.get(key);
    if (found !== null) return { summary: found, computed: false };
    const id = keyString(key);
    const pending =
      this.#pending.get(id) ??
      summarizeDocument(request)
        .then(async (summary) => {
          await this.storage.put(summary);
          return summary;
        })
        .finally(() => this.#pending.delete(id));
    this.#pending.set(id, pending);
    return { summary: await pending, computed: true };
  }
}

/** The summaries most recently used in this process (16K tokens at 16x with d=256: ~1 MB). */
export class MemorySummaryStorage implements SummaryStorage {
  readonly #entries = new Map<string, StoredSummary>();

  constructor(private readonly capacity = 32) {}

  async get(key: SummaryVectorsKey): Promise<StoredSummary | null> {
    const id = keyString(key);
    const found = this.#entries.get(id) ?? null;
    if (found !== null) {
      this.#entries.delete(id);
      this.#entries.set(id, found);
    }
    return found;
  }

  async put(summary: StoredSummary): Promise<void> {
    const id = keyString(summary);
    this.#entries.delete(id);
    this.#entries.set(id, summary);
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}

let processSummaries: SummaryVectorCache | undefined;

/** Summaries kept in this process' memory: the default when no store is configured. */
export function processSummaryCache(): SummaryVectorCache {
  processSummaries ??= new SummaryVectorCache(new MemorySummaryStorage());
  return processSummaries;
}
