import { z } from "zod";

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * How long jobs, documents and results stay in Redis. Every ctxpress key carries a TTL, so Redis
 * is a bounded work area rather than a store of record.
 */
export const retentionSchema = z.strictObject({
  /** Completed jobs are kept this long (seconds) and at most `completedCount` of them. */
  completedAgeSeconds: z.number().int().positive().default(DAY),
  completedCount: z.number().int().positive().default(1000),
  /** Failed jobs keep their reason this long; their documents outlive them (see below). */
  failedAgeSeconds: z
    .number()
    .int()
    .positive()
    .default(7 * DAY),
  failedCount: z.number().int().positive().default(5000),
});
export type Retention = z.infer<typeof retentionSchema>;
export type RetentionInput = z.input<typeof retentionSchema>;

export const defaultRetention: Retention = retentionSchema.parse({});

/**
 * Documents must outlive the failed job that references them, so a failed job's input can be
 * inspected (and retried) for as long as the job itself is kept.
 */
export function documentTtlSeconds(retention: Retention): number {
  return Math.max(retention.failedAgeSeconds, retention.completedAgeSeconds) + DAY;
}

/** Results outlive the completed job by an hour so a client woken by 'completed' can read them. */
export function resultTtlSeconds(retention: Retention): number {
  return retention.completedAgeSeconds + HOUR;
}
