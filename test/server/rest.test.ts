/**
 * The REST API answers with the SDK's (and so the CLI's `--json`) JSON; the OpenAPI document is
 * generated from the same schemas; metrics carry ctxpress_ series. Server built in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_DOCUMENTS_PER_JOB } from "../../queues/schemas.js";
import { createModels } from "../../src/model/models.js";
import { compress } from "../../src/sdk/in-process.js";
import { buildServer, type CtxpressServer } from "../../src/server/app.js";
import { parseServeConfig } from "../../src/server/config.js";
import { LONG_CONTEXT, postJson, TINY_MODELS } from "./serve-fixture.js";

let server: CtxpressServer;
let url: string;

beforeAll(async () => {
  server = await buildServer(parseServeConfig({ port: 0, models: TINY_MODELS }));
  await server.backend.warm();
  url = await server.app.listen({ host: "127.0.0.1", port: 0 });
}, 120_000);
afterAll(async () => {
  await server?.close();
});

/** Everything but wall times, which differ from run to run. */
function withoutTimings(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, field) =>
    key === "timingsMs" || key === "totalMs" ? undefined : field,
  );
}

const request = {
  contexts: [LONG_CONTEXT],
  question: "What did the keeper write?",
  options: { method: "longllmlingua", rate: 0.4 },
};

describe("the REST API", () => {
  it("POST /v1/compress answers the JSON that `ctxpress compress --json` prints", async () => {
    const response = await postJson(`${url}/v1/compress`, request);
    expect(response.status).toBe(200);
    const models = createModels(TINY_MODELS);
    try {
      const expected = await compress(
        { contexts: request.contexts, question: request.question },
        { method: "longllmlingua", rate: 0.4 },
        { models },
      );
      expect(withoutTimings(await response.json())).toEqual(withoutTimings(expected));
    } finally {
      await models.dispose();
    }
  });

  it("POST /v1/answer and /v1/index answer like `ctxpress answer --json` and `index --json`", async () => {
    const tooLong = await postJson(`${url}/v1/answer`, request);
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: { code: string } }).error.code).toBe(
      "context_length_exceeded",
    );
    const answer = await postJson(`${url}/v1/answer`, {
      ...request,
      options: { method: "longllmlingua", targetTokens: 200 },
      generation: { maxNewTokens: 3 },
    });
    expect(answer.status).toBe(200);
    const answered = (await answer.json()) as Record<string, Record<string, unknown>>;
    expect(answered.generation?.completionTokens).toBeLessThanOrEqual(3);
    expect(answered.compression?.method).toBe("longllmlingua");
    const index = await postJson(`${url}/v1/index`, { document: LONG_CONTEXT, blockTokens: 64 });
    expect(index.status).toBe(200);
    expect(await index.json()).toMatchObject({ blockTokens: 64, built: true });
    const noQuestion = await postJson(`${url}/v1/answer`, { ...request, question: undefined });
    expect(noQuestion.status).toBe(400);
  });

  it("serves an OpenAPI 3.1 document generated from the request schemas, and its docs page", async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<
                string,
                { schema: { properties: Record<string, { maxItems?: number }> } }
              >;
            };
          }
        >
      >;
    };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/v1/compress", "/v1/answer", "/v1/index"]),
    );
    const body = document.paths["/v1/compress"]?.post?.requestBody?.content["application/json"];
    expect(body?.schema.properties.contexts?.maxItems).toBe(MAX_DOCUMENTS_PER_JOB);
    expect((await fetch(`${url}/docs`)).status).toBe(200);
  });

  it("exposes ctxpress_ metrics of what it did", async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(
      /ctxpress_http_requests_total\{route="\/v1\/compress",method="POST",status="200"\} 1/,
    );
    expect(text).toMatch(
      /ctxpress_stage_duration_seconds_count\{route="\/v1\/compress",stage="compress"\} 1/,
    );
    expect(text).toMatch(/ctxpress_tokens_in_total\{route="\/v1\/compress"\} [1-9]/);
    expect(text).toMatch(/ctxpress_compression_ratio_count\{route="\/v1\/answer"\} 1/);
    expect(text).toMatch(
      /ctxpress_http_requests_total\{route="\/v1\/answer",method="POST",status="400"\} 2/,
    );
  });
});
