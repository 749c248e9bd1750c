import { z } from "zod";
import type { RedisClient } from "../../queues/connection.js";
import { sha256Hex } from "../../queues/hash.js";
import type { Block } from "../compressors/landmark/blocking.js";
import type { LandmarkIndex, LandmarkIndexKey } from "../compressors/landmark/landmark-index.js";
import { CorruptRecordError } from "../errors/index.js";
import { parseHashHeader, readHashRecord, writeHashRecord } from "./hash-record.js";
import type { StoreKeys } from "./keys.js";
import type { LandmarkIndexStorage } from "./landmark-index-cache.js";

/**
 * Landmark indexes in Redis: one hash per (document, embedder weights, block size) with three
 * fields, written at once and expiring together:
 *   meta     JSON: format, document hash, model id, block size, dimensions, block count, times;
 *   blocks   little-endian uint32 × 4 per block: start, end, first token, token count;
 *   vectors  little-endian float32 × dimensions per block.
 * The key holds a hash of the embedder's model id (which includes a digest of its weights), so
 * another model never reads these vectors, and reading an index restarts its TTL.
 */
const FORMAT = 1;
const BLOCK_FIELDS = 4;

const metaSchema = z.strictObject({
  format: z.literal(FORMAT),
  documentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  modelId: z.string().min(1),
  blockTokens: z.number().int().positive(),
  dimensions: z.number().int().nonnegative(),
  blockCount: z.number().int().nonnegative(),
  createdAt: z.number(),
  buildMs: z.number().nonnegative(),
});

function littleEndianBytes(values: Float32Array | Uint32Array): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => {
    if (values instanceof Float32Array) bytes.writeFloatLE(value, index * 4);
    else bytes.writeUInt32LE(value, index * 4);
  });
  return bytes;
}

export class LandmarkIndexStore implements LandmarkIndexStorage {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StoreKeys,
    readonly ttlSeconds: number,
  ) {}

  keyOf(key: LandmarkIndexKey): string {
    return this.keys.landmarkIndex(
      sha256Hex(key.modelId).slice(0, 16),
      key.blockTokens,
      key.documentSha256,
    );
  }

  async put(key: LandmarkIndexKey, index: LandmarkIndex): Promise<void> {
    const blocks = new Uint32Array(index.blocks.length * BLOCK_FIELDS);
    index.blocks.forEach((block, i) => {
      blocks.set([block.start, block.end, block.firstToken, block.tokenCount], i * BLOCK_FIELDS);
    });
    const meta: z.infer<typeof metaSchema> = {
      format: FORMAT,
      documentSha256: index.documentSha256,
      modelId: index.modelId,
      blockTokens: index.blockTokens,
      dimensions: index.dimensions,
      blockCount: index.blocks.length,
      createdAt: index.createdAt,
      buildMs: index.buildMs,
    };
    await writeHashRecord(
      this.redis,
      this.keyOf(key),
      {
        meta: JSON.stringify(meta),
        blocks: littleEndianBytes(blocks),
        vectors: littleEndianBytes(index.vectors),
      },
      this.ttlSeconds,
    );
  }

  /** The stored index (its TTL restarted), or null when it was never built or has expired. */
  async get(key: LandmarkIndexKey): Promise<LandmarkIndex | null> {
    const redisKey = this.keyOf(key);
    const fields = ["meta", "blocks", "vectors"];
    const values = await readHashRecord(this.redis, redisKey, fields, this.ttlSeconds);
    if (values === null) return null;
    const [metaBytes, blockBytes, vectorBytes] = values as [Buffer, Buffer, Buffer];
    return this.decode(redisKey, key, metaBytes, blockBytes, vectorBytes);
  }

  /** Whether the index exists, without reading it or touching its TTL. */
  async has(key: LandmarkIndexKey): Promise<boolean> {
    return (await this.redis.exists(this.keyOf(key))) === 1;
  }

  async remove(key: LandmarkIndexKey): Promise<void> {
    await this.redis.del(this.keyOf(key));
  }

  private decode(
    redisKey: string,
    key: LandmarkIndexKey,
    metaBytes: Buffer,
    blockBytes: Buffer,
    vectorBytes: Buffer,
  ): LandmarkIndex {
    const meta = parseHashHeader(redisKey, metaBytes, metaSchema);
    const sameKey =
      meta.documentSha256 === key.documentSha256 &&
      meta.modelId === key.modelId &&
      meta.blockTokens === key.blockTokens;
    const sizes =
      blockBytes.length === meta.blockCount * BLOCK_FIELDS * 4 &&
      vectorBytes.length === meta.blockCount * meta.dimensions * 4;
    if (!sameKey || !sizes) {
      throw new CorruptRecordError(redisKey, "its header does not match its key or its sizes");
    }
    const blocks: Block[] = [];
    for (let i = 0; i < meta.blockCount; i++) {
      const at = i * BLOCK_FIELDS * 4;
      blocks.push({
        id: i,
        start: blockBytes.readUInt32LE(at),
        end: blockBytes.readUInt32LE(at + 4),
        firstToken: blockBytes.readUInt32LE(at + 8),
        tokenCount: blockBytes.readUInt32LE(at + 12),
      });
    }
    const vectors = new Float32Array(meta.blockCount * meta.dimensions);
    for (let i = 0; i < vectors.length; i++) vectors[i] = vectorBytes.readFloatLE(i * 4);
    return {
      documentSha256: meta.documentSha256,
      modelId: meta.modelId,
      blockTokens: meta.blockTokens,
      dimensions: meta.dimensions,
      blocks,
      vectors,
      createdAt: meta.createdAt,
      buildMs: meta.buildMs,
    };
  }
}
