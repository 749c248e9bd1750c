import { createHash } from "node:crypto";
import type { Embedder } from "../../model/types.js";
import { type Block, splitIntoBlocks } from "./blocking.js";

/**
 * A landmark index: a document cut into blocks, one unit vector per block from the embedder.
 * It depends only on the document's text, the embedder's weights and the block size, so it is
 * built once and reused for every question (that is the point: LongLLMLingua re-scores the whole
 * document per question).
 */
export interface LandmarkIndex {
  readonly documentSha256: string;
  readonly modelId: string;
  readonly blockTokens: number;
  readonly dimensions: number;
  readonly blocks: readonly Block[];
  /** blocks.length × dimensions floats, row-major, one unit row per block. */
  readonly vectors: Float32Array;
  /** When it was built (ms since the epoch) and how long that took. */
  readonly createdAt: number;
  readonly buildMs: number;
}

/** What identifies an index: a different model or block size is a different index. */
export interface LandmarkIndexKey {
  readonly documentSha256: string;
  readonly modelId: string;
  readonly blockTokens: number;
}

export interface IndexRequest {
  readonly text: string;
  readonly blockTokens: number;
  readonly embedder: Embedder;
  readonly signal?: AbortSignal | undefined;
  /** 0..1 over the blocks embedded. */
  readonly onProgress?: ((fraction: number) => void) | undefined;
}

export interface IndexOutcome {
  readonly index: LandmarkIndex;
  /** False when the index was already stored: nothing was embedded. */
  readonly built: boolean;
}

/**
 * Finds the index of a document, building (and keeping) it when there is none yet: a store the
 * caller injects (src/store/landmark-index-cache.ts).
 */
export interface LandmarkIndexProvider {
  index(request: IndexRequest): Promise<IndexOutcome>;
}

/** Blocks embedded per embedder call, between which progress is reported and aborts act. */
const EMBED_BATCH = 32;

export function documentSha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function indexKey(request: IndexRequest): LandmarkIndexKey {
  return {
    documentSha256: documentSha256(request.text),
    modelId: request.embedder.modelId,
    blockTokens: request.blockTokens,
  };
}

export async function buildLandmarkIndex(request: IndexRequest): Promise<LandmarkIndex> {
  const started = performance.now();
  const { text, embedder, blockTokens, signal } = request;
  const tokens = embedder.tokenizer.encodeWithSpans(text);
  const blocks = splitIntoBlocks(text, tokens, blockTokens);
  const vectors = new Float32Array(blocks.length * embedder.dimensions);
  for (let first = 0; first < blocks.length; first += EMBED_BATCH) {
    signal?.throwIfAborted();
    const batch = blocks.slice(first, first + EMBED_BATCH);
    const embedded = await embedder.embedTokens(
      batch.map((block) => tokens.ids.slice(block.firstToken, block.firstToken + block.tokenCount)),
    );
    embedded.forEach((vector, offset) => {
      vectors.set(vector, (first + offset) * embedder.dimensions);
    });
    request.onProgress?.(Math.min(1, (first + batch.length) / blocks.length));
  }
  return {
    ...indexKey(request),
    dimensions: embedder.dimensions,
    blocks,
    vectors,
    createdAt: Date.now(),
    buildMs: performance.now() - started,
  };
}
