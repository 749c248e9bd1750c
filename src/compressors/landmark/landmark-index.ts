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

/** Finds the index of a document, building (and keeping) it when there is none yet. */
export interface LandmarkIndexProvider {
  index(request: IndexRequest): Promise<IndexOutcome>;
}

/** Where indexes are kept: Redis in workers (src/store/landmark-index.ts), memory otherwise. */
export interface LandmarkIndexStorage {
  get(key: LandmarkIndexKey): Promise<LandmarkIndex | null>;
  put(index: LandmarkIndex): Promise<void>;
}

/** Blocks embedded per embedder call, between which progress is reported and aborts act. */
const EMBED_BATCH = 32;

export function documentSha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The key as one string, for in-process maps. */
function keyId(key: LandmarkIndexKey): string {
  return `${key.modelId}\n${key.blockTokens}\n${key.documentSha256}`;
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

/**
 * Looks an index up in its storage and builds it on a miss. Concurrent requests for the same
 * index in this process share one build.
 */
export class StoredIndexProvider implements LandmarkIndexProvider {
  readonly #building = new Map<string, Promise<LandmarkIndex>>();

  constructor(private readonly storage: LandmarkIndexStorage) {}

  async index(request: IndexRequest): Promise<IndexOutcome> {
    const key = indexKey(request);
    const stored = await this.storage.get(key);
    if (stored !== null) return { index: stored, built: false };
    const id = keyId(key);
    let building = this.#building.get(id);
    if (building === undefined) {
      building = buildLandmarkIndex(request).then(async (index) => {
        await this.storage.put(index);
        return index;
      });
      this.#building.set(id, building);
      building.then(
        () => this.#building.delete(id),
        () => this.#building.delete(id),
      );
    }
    return { index: await building, built: true };
  }
}

/** The most recently used indexes of this process (an index of 128K tokens is ~1 MB). */
export class MemoryIndexStorage implements LandmarkIndexStorage {
  readonly #entries = new Map<string, LandmarkIndex>();

  constructor(private readonly capacity = 32) {}

  async get(key: LandmarkIndexKey): Promise<LandmarkIndex | null> {
    const id = keyId(key);
    const found = this.#entries.get(id);
    if (found === undefined) return null;
    this.#entries.delete(id);
    this.#entries.set(id, found);
    return found;
  }

  async put(index: LandmarkIndex): Promise<void> {
    const id = keyId(index);
    this.#entries.delete(id);
    this.#entries.set(id, index);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.capacity) break;
      this.#entries.delete(oldest);
    }
  }
}

let processIndexes: LandmarkIndexProvider | undefined;

/** Indexes kept in this process' memory: the default when no store is configured. */
export function processIndexProvider(): LandmarkIndexProvider {
  processIndexes ??= new StoredIndexProvider(new MemoryIndexStorage());
  return processIndexes;
}
