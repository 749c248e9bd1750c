import type { z } from "zod";
import type { RedisClient } from "../../queues/connection.js";
import type { CompressionResult } from "../compressors/types.js";
import { CorruptRecordError } from "../errors/corrupt-record-error.js";
import { fromStoredJson, toStoredJson } from "./json.js";
import type { StoreKeys } from "./keys.js";
import { type AnswerResult, answerResultSchema, compressionResultSchema } from "./records.js";

/** Compression results and answers, each under its own key with a TTL. */
export class ResultStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StoreKeys,
    private readonly ttlSeconds: number,
  ) {}

  async putCompression(cacheKey: string, result: CompressionResult): Promise<void> {
    await this.write(this.keys.compression(cacheKey), result);
  }

  async getCompression(cacheKey: string): Promise<CompressionResult | null> {
    return this.read(this.keys.compression(cacheKey), compressionResultSchema);
  }

  async putAnswer(jobId: string, answer: AnswerResult): Promise<void> {
    await this.write(this.keys.answer(jobId), answer);
  }

  async getAnswer(jobId: string): Promise<AnswerResult | null> {
    return this.read(this.keys.answer(jobId), answerResultSchema);
  }

  async removeCompression(cacheKey: string): Promise<void> {
    await this.redis.del(this.keys.compression(cacheKey));
  }

  async removeAnswer(jobId: string): Promise<void> {
    await this.redis.del(this.keys.answer(jobId));
  }

  private async write(key: string, value: unknown): Promise<void> {
    await this.redis.set(key, toStoredJson(value), "EX", this.ttlSeconds);
  }

  private async read<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
    const text = await this.redis.get(key);
    if (text === null) return null;
    const parsed = schema.safeParse(fromStoredJson(text));
    if (!parsed.success) throw new CorruptRecordError(key, parsed.error.message);
    return parsed.data;
  }
}
