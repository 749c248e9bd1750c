import { endianness } from "node:os";
import { z } from "zod";
import type { RedisClient } from "../../queues/connection.js";
import { sha256Hex } from "../../queues/hash.js";
import type { StoredSummary, SummaryVectorsKey } from "../compressors/gist/summary-vectors.js";
import { CorruptRecordError } from "../errors/index.js";
import { parseHashHeader, readHashRecord, writeHashRecord } from "./hash-record.js";
import type { StoreKeys } from "./keys.js";
import type { SummaryStorage } from "./summary-vector-cache.js";

/**
 * Gist summary vectors in Redis: one hash per (document, AutoCompressor weights, segment length)
 * with two fields, written at once and expiring together:
 *   meta     JSON: format, key, κ, hidden size, token count, times, and the segments' blocks
 *            ([start, end, first token, token count] each: a few per thousand tokens);
 *   vectors  the float32 vectors, little-endian, copied byte for byte (bit-exact, NaN payloads
 *            included), segments × κ × hidden.
 * The key holds a hash of the model id (which includes a digest of its weights), so vectors of
 * other weights are never read, and reading restarts the TTL.
 */
const FORMAT = 1;
const LITTLE_ENDIAN = endianness() === "LE";

const metaSchema = z.strictObject({
  format: z.literal(FORMAT),
  documentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  modelId: z.string().min(1),
  segmentTokens: z.number().int().positive(),
  summaryTokens: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  tokens: z.number().int().nonnegative(),
  blocks: z.array(
    z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  ),
  createdAt: z.number(),
  buildMs: z.number().nonnegative(),
});

/** The floats' bytes, little-endian: a byte-for-byte copy on little-endian hosts. */
function float32ToBytes(values: Float32Array): Buffer {
  const bytes = Buffer.alloc(values.byteLength);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return LITTLE_ENDIAN ? bytes : bytes.swap32();
}

function bytesToFloat32(bytes: Uint8Array): Float32Array {
  // A fresh, aligned copy: a Buffer from Redis may sit at any offset of a shared pool.
  const copy = Buffer.alloc(bytes.byteLength);
  copy.set(bytes);
  if (!LITTLE_ENDIAN) copy.swap32();
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

export class SummaryVectorStore implements SummaryStorage {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StoreKeys,
    readonly ttlSeconds: number,
  ) {}

  keyOf(key: SummaryVectorsKey): string {
    return this.keys.summaryVectors(
      sha256Hex(key.modelId).slice(0, 16),
      key.segmentTokens,
      key.documentSha256,
    );
  }

  async put(key: SummaryVectorsKey, summary: StoredSummary): Promise<void> {
    const meta: z.infer<typeof metaSchema> = {
      format: FORMAT,
      documentSha256: summary.documentSha256,
      modelId: summary.modelId,
      segmentTokens: summary.segmentTokens,
      summaryTokens: summary.summaryTokens,
      hiddenSize: summary.hiddenSize,
      tokens: summary.tokens,
      blocks: summary.blocks.map((b) => [b.start, b.end, b.firstToken, b.tokenCount]),
      createdAt: summary.createdAt,
      buildMs: summary.buildMs,
    };
    await writeHashRecord(
      this.redis,
      this.keyOf(key),
      { meta: JSON.stringify(meta), vectors: float32ToBytes(summary.vectors) },
      this.ttlSeconds,
    );
  }

  /** The stored vectors (their TTL restarted), or null when never written or expired. */
  async get(key: SummaryVectorsKey): Promise<StoredSummary | null> {
    const redisKey = this.keyOf(key);
    const fields = await readHashRecord(this.redis, redisKey, ["meta", "vectors"], this.ttlSeconds);
    if (fields === null) return null;
    const [metaBytes, vectorBytes] = fields as [Buffer, Buffer];
    return this.decode(redisKey, key, metaBytes, vectorBytes);
  }

  /** Whether the vectors exist, without reading them or touching their TTL. */
  async has(key: SummaryVectorsKey): Promise<boolean> {
    return (await this.redis.exists(this.keyOf(key))) === 1;
  }

  async remove(key: SummaryVectorsKey): Promise<void> {
    await this.redis.del(this.keyOf(key));
  }

  private decode(
    redisKey: string,
    key: SummaryVectorsKey,
    metaBytes: Buffer,
    vectorBytes: Buffer,
  ): StoredSummary {
    const meta = parseHashHeader(redisKey, metaBytes, metaSchema);
    const sameKey =
      meta.documentSha256 === key.documentSha256 &&
      meta.modelId === key.modelId &&
      meta.segmentTokens === key.segmentTokens;
    const floats = meta.blocks.length * meta.summaryTokens * meta.hiddenSize;
    if (!sameKey || vectorBytes.length !== floats * 4) {
      throw new CorruptRecordError(redisKey, "its header does not match its key or its size");
    }
    return {
      documentSha256: meta.documentSha256,
      modelId: meta.modelId,
      segmentTokens: meta.segmentTokens,
      summaryTokens: meta.summaryTokens,
      hiddenSize: meta.hiddenSize,
      tokens: meta.tokens,
      blocks: meta.blocks.map(([start, end, firstToken, tokenCount], id) => ({
        id,
        start,
        end,
        firstToken,
        tokenCount,
      })),
      vectors: bytesToFloat32(vectorBytes),
      createdAt: meta.createdAt,
      buildMs: meta.buildMs,
    };
  }
}
