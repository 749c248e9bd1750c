import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CompressionBackend } from "../backend.js";
import type { ServeConfig } from "../config.js";
import { HttpError } from "../errors.js";
import type { ServerMetrics } from "../metrics.js";
import { clientGone, type WorkLimiter } from "../work.js";
import {
  CTXPRESS_FIELD,
  compressionHeaders,
  compressPrompt,
  type GatewayCompression,
  planCompression,
} from "./compress-prompt.js";
import { type CompressiblePrompt, chatPromptParts, completionPromptParts } from "./prompt-parts.js";
import type { Upstream } from "./upstream.js";

const ctxpressField = z
  .looseObject({ method: z.string() })
  .optional()
  .describe(
    "ctxpress only, removed before forwarding: compress this request with these options (`method`, `rate` or `targetTokens`, …)",
  );

/** Only what the gateway reads is checked; the upstream judges the rest. */
const chatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string() })).min(1),
  stream: z.boolean().optional(),
  [CTXPRESS_FIELD]: ctxpressField,
});
const completionBodySchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.unknown())]),
  stream: z.boolean().optional(),
  [CTXPRESS_FIELD]: ctxpressField,
});

interface GatewayDeps {
  readonly config: ServeConfig;
  readonly backend: CompressionBackend;
  readonly upstream: Upstream;
  readonly limiter: WorkLimiter;
  readonly metrics: ServerMetrics;
}

/**
 * The client's `Authorization` goes on to the upstream unless the server has its own upstream
 * key, or checks API keys itself (then the client's bearer is a ctxpress key, not the upstream's).
 */
function upstreamHeaders(request: FastifyRequest, config: ServeConfig): Record<string, string> {
  const headers: Record<string, string> = { accept: request.headers.accept ?? "application/json" };
  if (config.upstreamApiKey !== undefined) {
    headers.authorization = `Bearer ${config.upstreamApiKey}`;
  } else if (config.apiKeys.length === 0 && request.headers.authorization !== undefined) {
    headers.authorization = request.headers.authorization;
  }
  return headers;
}

/**
 * The OpenAI-compatible gateway: `POST /v1/chat/completions` and `/v1/completions` compressed
 * (by the request's `ctxpress` field or the server's policy) and forwarded to the upstream, its
 * response passed back chunk by chunk; `GET /v1/models` passed through. Fail-open by default: a
 * compression that fails forwards the request as it came, with `x-ctxpress-compression: failed`.
 */
export function registerGateway(app: FastifyInstance, deps: GatewayDeps): void {
  const { config, backend, upstream, limiter, metrics } = deps;

  async function compressBody(
    route: string,
    body: Record<string, unknown>,
    parts: (body: Record<string, unknown>) => CompressiblePrompt,
    reply: FastifyReply,
  ): Promise<GatewayCompression> {
    const plan = planCompression(body, config.policy);
    if (plan === null) return { outcome: "skipped" };
    const untouched = structuredClone(body);
    try {
      const compression = await limiter.run(reply, route, "compress", (signal) =>
        compressPrompt(parts(body), plan, backend, signal),
      );
      if (compression.outcome === "compressed") {
        metrics.compressed(route, compression.originalTokens, compression.compressedTokens);
      }
      return compression;
    } catch (error) {
      metrics.compressionFailed(route, config.failOpen ? "forwarded" : "refused");
      if (!config.failOpen) {
        throw new HttpError(
          502,
          "upstream_error",
          "compression_failed",
          `compression failed (the server is fail-closed): ${(error as Error).message}`,
        );
      }
      reply.log.warn({ err: error }, "compression failed; forwarding the request uncompressed");
      Object.assign(body, untouched);
      return { outcome: "failed", reason: (error as Error).message };
    }
  }

  async function forward(
    route: string,
    request: FastifyRequest,
    reply: FastifyReply,
    body: Record<string, unknown> | undefined,
    extraHeaders: Record<string, string>,
  ): Promise<FastifyReply> {
    const headers = upstreamHeaders(request, config);
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await metrics.timeStage(route, "upstream", () =>
      upstream.send(
        body === undefined ? "GET" : "POST",
        route.replace(/^\/v1/, ""),
        headers,
        body === undefined ? undefined : JSON.stringify(body),
        clientGone(reply),
      ),
    );
    return reply
      .code(response.status)
      .headers({ ...response.headers, ...extraHeaders })
      .send(response.body);
  }

  function proxy(
    route: "/v1/chat/completions" | "/v1/completions",
    parts: (body: Record<string, unknown>) => CompressiblePrompt,
  ) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as Record<string, unknown>;
      const compression = await compressBody(route, body, parts, reply);
      return forward(route, request, reply, body, compressionHeaders(compression));
    };
  }

  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.post(
    "/v1/chat/completions",
    {
      schema: {
        summary: "OpenAI chat completions, compressed and forwarded to the upstream",
        tags: ["gateway"],
        body: chatBodySchema,
      },
    },
    proxy("/v1/chat/completions", (body) => chatPromptParts(body.messages)),
  );
  routes.post(
    "/v1/completions",
    {
      schema: {
        summary: "OpenAI completions, compressed and forwarded to the upstream",
        tags: ["gateway"],
        body: completionBodySchema,
      },
    },
    proxy("/v1/completions", completionPromptParts),
  );
  routes.get(
    "/v1/models",
    { schema: { summary: "The upstream's models, passed through", tags: ["gateway"] } },
    (request, reply) => forward("/v1/models", request, reply, undefined, {}),
  );
}
