import type { SummaryCompressor } from "../../model/types.js";
import type { Block } from "../landmark/blocking.js";
import { documentSha256 } from "../landmark/landmark-index.js";
import { segmentDocument } from "./segments.js";

/** What identifies one context's stored summary vectors (another model or cut: other vectors). */
export interface SummaryVectorsKey {
  readonly documentSha256: string;
  readonly modelId: string;
  readonly segmentTokens: number;
}

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

/**
 * Finds a document's vectors, compressing (and keeping) them when there are none yet: a store the
 * caller injects (src/store/summary-vector-cache.ts).
 */
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
