import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { CompressOptionsInput } from "../compressors/index.js";
import type { CompressionBackend } from "./backend.js";
import type { ServerMetrics } from "./metrics.js";
import {
  answerBodySchema,
  type CompressBody,
  compressBodySchema,
  indexBodySchema,
} from "./schemas.js";
import type { WorkLimiter } from "./work.js";

/** The request's texts and options as the SDK takes them. */
export function compressRequest({ contexts, instruction, question, options }: CompressBody) {
  return {
    input: {
      contexts,
      ...(instruction === undefined ? {} : { instruction }),
      ...(question === undefined ? {} : { question }),
    },
    // The compressor's schema checks the method's options and names a bad one.
    options: options as CompressOptionsInput,
  };
}

/**
 * `POST /v1/compress`, `/v1/answer` and `/v1/index`: the work of `ctxpress compress --json`,
 * `answer --json` and `index --json`, answered with the same JSON, in this process or on workers.
 */
export function registerRestRoutes(
  app: FastifyInstance,
  backend: CompressionBackend,
  limiter: WorkLimiter,
  metrics: ServerMetrics,
): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.post(
    "/v1/compress",
    {
      schema: {
        summary: "Compress contexts (the JSON of `ctxpress compress --json`)",
        tags: ["compression"],
        body: compressBodySchema,
      },
    },
    async (request, reply) => {
      const { input, options } = compressRequest(request.body);
      const result = await limiter.run(reply, "/v1/compress", "compress", (signal) =>
        backend.compress(input, options, signal),
      );
      metrics.compressed(
        "/v1/compress",
        result.stats.counts.originalTokens,
        result.stats.counts.compressedTokens,
      );
      return result;
    },
  );
  routes.post(
    "/v1/answer",
    {
      schema: {
        summary: "Compress, then answer the question with the decoder (`ctxpress answer --json`)",
        tags: ["compression"],
        body: answerBodySchema,
      },
    },
    async (request, reply) => {
      const { input, options } = compressRequest(request.body);
      const result = await limiter.run(reply, "/v1/answer", "answer", (signal) =>
        backend.answer(input, options, request.body.generation ?? {}, signal),
      );
      const { counts } = result.compression.stats;
      metrics.compressed("/v1/answer", counts.originalTokens, counts.compressedTokens);
      return result;
    },
  );
  routes.post(
    "/v1/index",
    {
      schema: {
        summary: "Build or find the landmark index of a document (`ctxpress index --json`)",
        tags: ["compression"],
        body: indexBodySchema,
      },
    },
    async (request, reply) =>
      limiter.run(reply, "/v1/index", "index", (signal) =>
        backend.index(request.body.document, request.body.blockTokens, signal),
      ),
  );
}
