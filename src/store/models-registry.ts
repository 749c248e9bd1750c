import type { RedisClient } from "../../queues/connection.js";
import type { StoreKeys } from "./keys.js";

/** A worker says which models it runs this often; producers trust a claim this old at most. */
export const MODELS_HEARTBEAT_MS = 10_000;
export const MODELS_LIVE_MS = 3 * MODELS_HEARTBEAT_MS;
/** Fingerprints no worker has claimed for this long are forgotten. */
const FORGET_MS = 7 * 24 * 3600_000;

/**
 * Which models the workers under a prefix run, so producers can put the models' identity in a
 * job's id before any worker sees the job. Each worker claims its models fingerprint when it
 * starts and every `MODELS_HEARTBEAT_MS` after; a producer targets the fingerprint of the
 * most recently started worker among those alive (a rolling upgrade switches new requests to
 * the new models as soon as one new worker runs), or, with no worker alive, the last one seen.
 */
export class ModelsRegistry {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StoreKeys,
  ) {}

  /** Records that a worker running `fingerprint`, started at `startedAt` (ms), is alive now. */
  async claim(fingerprint: string, startedAt: number, now = Date.now()): Promise<void> {
    const seen = this.keys.modelsSeen();
    const started = this.keys.modelsStarted();
    await this.redis
      .multi()
      .zadd(seen, now, fingerprint)
      .zadd(started, "GT", startedAt, fingerprint)
      .zremrangebyscore(seen, "-inf", now - FORGET_MS)
      .pexpire(seen, FORGET_MS)
      .pexpire(started, FORGET_MS)
      .exec();
  }

  /** The fingerprint new jobs should name (see the class), or null when no worker ever claimed one. */
  async current(now = Date.now()): Promise<string | null> {
    const [seenReply, startedReply] =
      (await this.redis
        .multi()
        .zrange(this.keys.modelsSeen(), 0, -1, "WITHSCORES")
        .zrange(this.keys.modelsStarted(), 0, -1, "WITHSCORES")
        .exec()) ?? [];
    const seen = scores(seenReply?.[1]);
    const started = scores(startedReply?.[1]);
    const alive = [...seen].filter(([, at]) => at >= now - MODELS_LIVE_MS);
    const candidates = alive.length > 0 ? alive : [...seen];
    let best: { fingerprint: string; rank: number } | null = null;
    for (const [fingerprint, seenAt] of candidates) {
      const rank = alive.length > 0 ? (started.get(fingerprint) ?? 0) : seenAt;
      if (best === null || rank > best.rank) best = { fingerprint, rank };
    }
    return best?.fingerprint ?? null;
  }
}

/** A `ZRANGE … WITHSCORES` reply as member → score. */
function scores(reply: unknown): Map<string, number> {
  const flat = Array.isArray(reply) ? (reply as string[]) : [];
  const map = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), Number(flat[i + 1]));
  return map;
}
