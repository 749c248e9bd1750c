import type { RedisClient } from "../../queues/connection.js";
import { sha256Hex } from "../../queues/hash.js";
import type { StoreKeys } from "./keys.js";

/** What a job carries instead of a document: its hash (the key is derived) and its size. */
export interface DocumentRef {
  readonly sha256: string;
  readonly bytes: number;
}

/** The reference a document's UTF-8 bytes get in the store, computed without storing them. */
export function documentRef(bytes: Uint8Array): DocumentRef {
  return { sha256: sha256Hex(bytes), bytes: bytes.byteLength };
}

/** Content-addressed document blobs: storing the same text twice stores it once. */
export class DocumentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StoreKeys,
    private readonly ttlSeconds: number,
  ) {}

  async put(text: string): Promise<DocumentRef> {
    return this.putBytes(Buffer.from(text, "utf8"));
  }

  /**
   * Stores the bytes unless they are already there; either way the TTL restarts, so a document
   * lives at least `ttlSeconds` after the last job that referenced it was enqueued.
   */
  async putBytes(bytes: Uint8Array): Promise<DocumentRef> {
    const ref = documentRef(bytes);
    const key = this.keys.document(ref.sha256);
    const refreshed = await this.redis.expire(key, this.ttlSeconds);
    if (refreshed === 0) await this.redis.set(key, Buffer.from(bytes), "EX", this.ttlSeconds);
    return ref;
  }

  /** The stored bytes, or null when they expired or were never stored. */
  async getBytes(sha256: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.keys.document(sha256));
  }

  async remove(sha256: string): Promise<void> {
    await this.redis.del(this.keys.document(sha256));
  }
}
