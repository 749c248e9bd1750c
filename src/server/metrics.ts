import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Seconds: from sub-millisecond proxying to minutes-long compressions. */
const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];
const RATIO_BUCKETS = [1, 1.25, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 20, 50];

/** Where job depth is read from (queue mode); per queue, counts per state. */
export type QueueDepthSource = () => Promise<Record<string, Record<string, number>>>;

/**
 * The server's Prometheus series, all `ctxpress_`-prefixed, in a registry of their own (so two
 * servers in one process never collide): requests and latency by route, stage latency, tokens in
 * and out, compression ratios and failures, queue depth, and Node's default process metrics.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "ctxpress_http_requests_total",
    help: "HTTP requests by route, method and status code",
    labelNames: ["route", "method", "status"],
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: "ctxpress_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["route", "method"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly stageSeconds = new Histogram({
    name: "ctxpress_stage_duration_seconds",
    help: "Time spent per stage of a request (compress, answer, index, upstream) by route",
    labelNames: ["route", "stage"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokensIn = new Counter({
    name: "ctxpress_tokens_in_total",
    help: "Tokens given to compression, by route (scorer tokenizer)",
    labelNames: ["route"],
    registers: [this.registry],
  });
  private readonly tokensOut = new Counter({
    name: "ctxpress_tokens_out_total",
    help: "Tokens left after compression, by route (scorer tokenizer)",
    labelNames: ["route"],
    registers: [this.registry],
  });
  private readonly ratio = new Histogram({
    name: "ctxpress_compression_ratio",
    help: "Original over compressed tokens of each compression, by route",
    labelNames: ["route"],
    buckets: RATIO_BUCKETS,
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: "ctxpress_compression_failures_total",
    help: "Compressions that failed, by route and whether the request went on uncompressed",
    labelNames: ["route", "outcome"],
    registers: [this.registry],
  });

  constructor(queueDepth?: QueueDepthSource) {
    collectDefaultMetrics({ register: this.registry, prefix: "ctxpress_" });
    if (queueDepth) {
      new Gauge({
        name: "ctxpress_queue_jobs",
        help: "Jobs per queue and state, read from Redis at each scrape",
        labelNames: ["queue", "state"],
        registers: [this.registry],
        async collect() {
          for (const [queue, states] of Object.entries(await queueDepth())) {
            for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
          }
        },
      });
    }
  }

  /** Times `work` as `stage` of `route`. */
  async timeStage<T>(route: string, stage: string, work: () => Promise<T>): Promise<T> {
    const end = this.stageSeconds.startTimer({ route, stage });
    try {
      return await work();
    } finally {
      end();
    }
  }

  compressed(route: string, originalTokens: number, compressedTokens: number): void {
    this.tokensIn.inc({ route }, originalTokens);
    this.tokensOut.inc({ route }, compressedTokens);
    if (compressedTokens > 0) this.ratio.observe({ route }, originalTokens / compressedTokens);
  }

  compressionFailed(route: string, outcome: "forwarded" | "refused"): void {
    this.failures.inc({ route, outcome });
  }

  /** Counts and times every request by its route pattern (`unmatched` for 404s). */
  register(app: FastifyInstance): void {
    const started = new WeakMap<object, bigint>();
    app.addHook("onRequest", async (request) => {
      started.set(request, process.hrtime.bigint());
    });
    app.addHook("onResponse", async (request, reply) => {
      const start = started.get(request);
      const route = request.routeOptions.url ?? "unmatched";
      this.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
      if (start !== undefined) {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        this.requestSeconds.observe({ route, method: request.method }, seconds);
      }
    });
    app.get("/metrics", { schema: { hide: true } }, async (_request, reply) =>
      reply.header("content-type", this.registry.contentType).send(await this.registry.metrics()),
    );
  }
}
