import type { FastifyReply } from "fastify";
import { HttpError } from "./errors.js";
import type { ServerMetrics } from "./metrics.js";

/** Aborts when the client closes its connection before the response is complete. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) gone.abort(new Error("the client closed the connection"));
  };
  reply.raw.once("close", onClose);
  return gone.signal;
}

/**
 * Runs the server's expensive work (compressions, answers, indexings) under a cap on how many
 * run at once (429 beyond it, with `retry-after`) and a time limit (504 after it). The work's
 * signal also aborts when the client goes away, so nobody computes an answer no one reads.
 */
export class WorkLimiter {
  private running = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly timeoutMs: number,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Work currently running. */
  get inFlight(): number {
    return this.running;
  }

  /** Throws `HttpError` 429 when the cap is reached; otherwise runs `work` as `stage` of `route`. */
  async run<T>(
    reply: FastifyReply,
    route: string,
    stage: string,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.running >= this.maxInFlight) {
      void reply.header("retry-after", "1");
      throw new HttpError(
        429,
        "rate_limit_error",
        "rate_limit_exceeded",
        `the server is running ${this.running} requests, its limit (--max-in-flight); retry later`,
      );
    }
    this.running += 1;
    try {
      const signal = AbortSignal.any([clientGone(reply), AbortSignal.timeout(this.timeoutMs)]);
      return await this.metrics.timeStage(route, stage, () => work(signal));
    } finally {
      this.running -= 1;
    }
  }
}
