import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { CtxpressClient, JobHandle } from "../sdk/client.js";
import { toHttpError } from "./errors.js";
import { compressRequest } from "./rest-routes.js";
import { type JobBody, jobBodySchema, jobParamsSchema } from "./schemas.js";

function enqueue(client: CtxpressClient, body: JobBody): Promise<JobHandle<unknown>> {
  switch (body.type) {
    case "index":
      return client.enqueueIndex(
        body.document,
        body.blockTokens === undefined ? {} : { blockTokens: body.blockTokens },
      );
    case "answer": {
      const { input, options } = compressRequest(body);
      return client.enqueueAnswer(input, options, body.generation ?? {});
    }
    case "compress": {
      const { input, options } = compressRequest(body);
      return client.enqueueCompress(input, options);
    }
  }
}

function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The events of one job as Server-Sent Events: `progress` ({step, stage, fraction}) while it
 * runs, then `completed` with its result or `failed` with an OpenAI-shaped error.
 */
async function* jobEvents(handle: JobHandle<unknown>): AsyncGenerator<string> {
  const result = handle.result();
  result.catch(() => {}); // read below; an early failure must not go unhandled meanwhile
  for await (const update of handle.progress()) yield sseEvent("progress", update);
  try {
    yield sseEvent("completed", await result);
  } catch (error) {
    yield sseEvent("failed", toHttpError(error).toBody());
  }
}

/**
 * Queue mode's job routes: `POST /v1/jobs` (202 with the id), `GET /v1/jobs/:id` (state, and the
 * result once completed) and `GET /v1/jobs/:id/events` (progress as Server-Sent Events).
 */
export function registerJobRoutes(app: FastifyInstance, client: CtxpressClient): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.post(
    "/v1/jobs",
    {
      schema: {
        summary: "Queue a compression, answer or index job; 202 with its id",
        tags: ["jobs"],
        body: jobBodySchema,
      },
    },
    async (request, reply) => {
      const handle = await enqueue(client, request.body);
      return reply.code(202).send({
        id: handle.id,
        queue: handle.queue,
        deduplicated: handle.deduplicated,
        status: `/v1/jobs/${encodeURIComponent(handle.id)}`,
        events: `/v1/jobs/${encodeURIComponent(handle.id)}/events`,
      });
    },
  );
  routes.get(
    "/v1/jobs/:id",
    {
      schema: {
        summary: "A job's state, progress and, once completed, its result",
        tags: ["jobs"],
        params: jobParamsSchema,
      },
    },
    async (request) => {
      const status = await client.status(request.params.id);
      if (status.state !== "completed") return status;
      const handle = await client.job(request.params.id);
      return { ...status, result: await handle.result({ timeoutMs: 5_000 }) };
    },
  );
  routes.get(
    "/v1/jobs/:id/events",
    {
      schema: {
        summary: "A job's progress as Server-Sent Events, ending with `completed` or `failed`",
        tags: ["jobs"],
        params: jobParamsSchema,
      },
    },
    async (request, reply) => {
      const handle = await client.job(request.params.id);
      return reply
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .send(Readable.from(jobEvents(handle)));
    },
  );
}
