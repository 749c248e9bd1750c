import { readFileSync } from "node:fs";
import path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { PACKAGE_ROOT } from "../model/defaults.js";
import { registerApiKeys } from "./auth.js";
import type { CompressionBackend } from "./backend.js";
import type { ServeConfig } from "./config.js";
import { registerDashboard } from "./dashboard.js";
import { HttpError, sendError, sendNotFound } from "./errors.js";
import { registerGateway } from "./gateway/routes.js";
import { Upstream } from "./gateway/upstream.js";
import { registerHealthRoutes } from "./health-routes.js";
import { InProcessBackend } from "./in-process-backend.js";
import { registerJobRoutes } from "./job-routes.js";
import { ServerMetrics } from "./metrics.js";
import { registerOpenApi } from "./openapi.js";
import { QueueBackend } from "./queue-backend.js";
import { registerRestRoutes } from "./rest-routes.js";
import { WorkLimiter } from "./work.js";

// From the package root, which is two folders up in the checkout and three in dist/.
const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as {
  version: string;
};

/** A built server: the Fastify app and what it runs with. */
export interface CtxpressServer {
  readonly app: FastifyInstance;
  readonly backend: CompressionBackend;
  readonly metrics: ServerMetrics;
  /** Stops taking requests, waits for in-flight ones, then closes the backend and the upstream. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Fastify's logger (default: off; `ctxpress serve` logs JSON lines to stderr). */
  readonly logger?: boolean | { level: string; stream?: NodeJS.WritableStream };
}

/**
 * Assembles the server: OpenAPI, API keys, metrics, health checks, the REST API, and — when
 * configured — the job routes and dashboard (queue mode) and the gateway (an upstream). Connects
 * to Redis in queue mode (rejects when it does not answer); loads no model yet (`backend.warm()`).
 */
export async function buildServer(
  config: ServeConfig,
  { logger = false }: BuildOptions = {},
): Promise<CtxpressServer> {
  const backend: CompressionBackend = config.queue
    ? await QueueBackend.connect(config)
    : new InProcessBackend(config);
  const client = backend.client;
  const metrics = new ServerMetrics(client ? () => client.counts() : undefined);
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    // Slow or stalled uploads are cut off; work on a complete request has its own limit.
    requestTimeout: 60_000,
    // On close, idle keep-alive connections go at once and in-flight requests finish.
    forceCloseConnections: "idle",
    // Requests arriving while draining get the 503 below, in OpenAI's shape, not Fastify's.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(sendError);
  app.setNotFoundHandler(sendNotFound);
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });
  app.addHook("onRequest", async (request) => {
    if (draining && request.url !== "/healthz") {
      throw new HttpError(503, "server_error", "shutting_down", "the server is shutting down");
    }
  });
  await registerOpenApi(app, version);
  registerApiKeys(app, config.apiKeys);
  metrics.register(app);
  // While draining, a response ends its keep-alive connection, so closing need not wait for it.
  app.addHook("onSend", async (_request, reply) => {
    if (draining) void reply.header("connection", "close");
  });
  registerHealthRoutes(app, backend, () => draining);
  const limiter = new WorkLimiter(config.maxInFlight, config.workTimeoutMs, metrics);
  registerRestRoutes(app, backend, limiter, metrics);
  let closeDashboard = async () => {};
  if (client) {
    registerJobRoutes(app, client);
    closeDashboard = await registerDashboard(app, config.redisUrl, config.prefix, config.redisTls);
  }
  const upstream = config.upstream
    ? new Upstream(config.upstream, config.upstreamTimeoutMs)
    : undefined;
  if (upstream) registerGateway(app, { config, backend, upstream, limiter, metrics });
  await app.ready();
  return {
    app,
    backend,
    metrics,
    async close() {
      await app.close();
      await Promise.all([backend.close(), closeDashboard(), upstream?.close()]);
    },
  };
}
