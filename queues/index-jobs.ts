import { z } from "zod";
import { blockTokensSchema, DEFAULT_BLOCK_TOKENS } from "./block-tokens.js";
import { documentRefSchema } from "./schemas.js";

/**
 * Jobs of the landmark-index queue (INDEX_QUEUE in names.ts): one job indexes one stored document with the worker's embedder.
 * Jobs get BullMQ's ids and a deduplication id per (document, block size), so an index already
 * queued or running is not queued again; once it is done, a new job finds the stored index and
 * returns at once (re-indexing is a no-op), and a worker whose embedder changed builds a new one.
 */
export const indexJobDataSchema = z.strictObject({
  version: z.literal(1),
  document: documentRefSchema,
  blockTokens: blockTokensSchema.default(DEFAULT_BLOCK_TOKENS),
});
export type IndexJobData = z.output<typeof indexJobDataSchema>;
export type IndexJobDataInput = z.input<typeof indexJobDataSchema>;

/** What an index job returns (BullMQ's returnvalue); the index itself is in the store. */
export const indexJobResultSchema = z.strictObject({
  documentSha256: z.string(),
  modelId: z.string(),
  blockTokens: z.number().int().positive(),
  blocks: z.number().int().nonnegative(),
  dimensions: z.number().int().nonnegative(),
  /** False when the index was already stored (nothing was embedded). */
  built: z.boolean(),
  /** Time the build took (when it was built now, or when it was first built). */
  buildMs: z.number().nonnegative(),
});
export type IndexJobResult = z.infer<typeof indexJobResultSchema>;

export function indexDeduplicationId(data: IndexJobData): string {
  return `index-${data.document.sha256}-${data.blockTokens}`;
}
