/**
 * Every bad-request class gets its status and OpenAI's error shape, and the server keeps serving.
 * Servers are built in this process (`buildServer`) and called over loopback HTTP.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startOpenAiUpstream } from "../../bench/server/openai-upstream.js";
import { buildServer, type CtxpressServer } from "../../src/server/app.js";
import { parseServeConfig, type ServeConfigInput } from "../../src/server/config.js";
import { LONG_CONTEXT, postJson, TINY_MODELS } from "./serve-fixture.js";

const servers: CtxpressServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(config: Partial<ServeConfigInput> = {}, warm = true) {
  const server = await buildServer(parseServeConfig({ port: 0, models: TINY_MODELS, ...config }));
  servers.push(server);
  if (warm) await server.backend.warm();
  const url = await server.app.listen({ host: "127.0.0.1", port: 0 });
  return { server, url };
}

async function expectError(
  response: Response,
  status: number,
  fields: { code: string; param?: string | null; type?: string },
) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error).toMatchObject(fields);
  expect(body.error.message).toEqual(expect.any(String));
  return body.error as { message: string };
}

const compressBody = {
  contexts: ["The passkey is 48213. ".repeat(20)],
  options: { method: "llmlingua" },
};

describe("errors in OpenAI's shape", () => {
  it("answers each bad request with its status and keeps serving", async () => {
    const upstream = await startOpenAiUpstream();
    const { url } = await serve({ upstream: upstream.baseUrl, bodyLimit: 4096 });
    try {
      // 400: malformed JSON, empty body, a field of the wrong type, an option out of range.
      await expectError(await postJson(`${url}/v1/compress`, '{"contexts": ['), 400, {
        code: "invalid_json",
        param: null,
        type: "invalid_request_error",
      });
      await expectError(await postJson(`${url}/v1/compress`, ""), 400, { code: "invalid_json" });
      const field = await expectError(
        await postJson(`${url}/v1/compress`, { contexts: [42], options: { method: "llmlingua" } }),
        400,
        { code: "invalid_field", param: "contexts.0" },
      );
      expect(field.message).toMatch(/contexts/);
      await expectError(
        await postJson(`${url}/v1/compress`, { ...compressBody, options: { method: "nope" } }),
        400,
        { code: "invalid_field", param: "options.method" },
      );
      await expectError(
        await postJson(`${url}/v1/compress`, {
          contexts: ["   "],
          options: { method: "llmlingua" },
        }),
        400,
        { code: "invalid_field", param: "input.contexts" },
      );
      await expectError(
        await postJson(`${url}/v1/chat/completions`, { model: "m", messages: "hi" }),
        400,
        { code: "invalid_field", param: "messages" },
      );
      await expectError(
        await postJson(`${url}/v1/chat/completions`, {
          model: "m",
          messages: [{ role: "user", content: "hi" }],
          ctxpress: { method: "gist" },
        }),
        400,
        { code: "invalid_field", param: "ctxpress.method" },
      );
      // 404: an unknown route; job routes exist only in queue mode.
      const response404 = await fetch(`${url}/v1/nothing`);
      await expectError(response404, 404, { code: "not_found", type: "not_found_error" });
      await expectError(await postJson(`${url}/v1/jobs`, {}), 404, { code: "not_found" });
      // 413: a body over the limit.
      await expectError(
        await postJson(`${url}/v1/compress`, { ...compressBody, contexts: ["x".repeat(5000)] }),
        413,
        { code: "request_too_large" },
      );
      // 415: not JSON at all.
      const text = await fetch(`${url}/v1/compress`, {
        method: "POST",
        headers: { "content-type": "application/xml" },
        body: "<hello/>",
      });
      await expectError(text, 415, { code: "unsupported_media_type" });
      // Still serving.
      const ok = await postJson(`${url}/v1/compress`, compressBody);
      expect(ok.status).toBe(200);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await upstream.close();
    }
  });

  it("answers 401 without a valid API key, except on the health checks", async () => {
    const key = "k".repeat(32);
    const { url } = await serve({ apiKeys: [key] });
    await expectError(await postJson(`${url}/v1/compress`, compressBody), 401, {
      code: "missing_api_key",
      type: "authentication_error",
    });
    await expectError(
      await postJson(`${url}/v1/compress`, compressBody, { authorization: "Bearer wrong" }),
      401,
      { code: "invalid_api_key" },
    );
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const ok = await postJson(`${url}/v1/compress`, compressBody, {
      authorization: `Bearer ${key}`,
    });
    expect(ok.status).toBe(200);
  });

  it("answers 429 beyond --max-in-flight, with retry-after", async () => {
    const { url } = await serve({ maxInFlight: 1 });
    const slow = postJson(`${url}/v1/compress`, {
      contexts: [LONG_CONTEXT.repeat(3)],
      options: { method: "llmlingua" },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await postJson(`${url}/v1/compress`, compressBody);
    expect(refused.headers.get("retry-after")).toBe("1");
    await expectError(refused, 429, { code: "rate_limit_exceeded", type: "rate_limit_error" });
    expect((await slow).status).toBe(200);
    expect((await postJson(`${url}/v1/compress`, compressBody)).status).toBe(200);
  });

  it("answers 502 when the upstream is down, or compression fails on a fail-closed server", async () => {
    const upstream = await startOpenAiUpstream();
    const baseUrl = upstream.baseUrl;
    await upstream.close();
    const { url } = await serve({ upstream: baseUrl });
    const chat = { model: "m", messages: [{ role: "user", content: "hi" }] };
    await expectError(await postJson(`${url}/v1/chat/completions`, chat), 502, {
      code: "upstream_unreachable",
      type: "upstream_error",
    });
    const closed = await serve({ upstream: baseUrl, failOpen: false });
    await expectError(
      await postJson(`${closed.url}/v1/chat/completions`, {
        ...chat,
        messages: [{ role: "user", content: `bad\u0000text\n\n${LONG_CONTEXT}\n\nquestion?` }],
        ctxpress: { method: "llmlingua" },
      }),
      502,
      { code: "compression_failed" },
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("answers 503 on /readyz until the models are loaded", async () => {
    const { server, url } = await serve({}, false);
    await expectError(await fetch(`${url}/readyz`), 503, { code: "not_ready" });
    await server.backend.warm();
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: "ready" });
  });

  it("refuses to listen beyond loopback without API keys", () => {
    expect(() => parseServeConfig({ host: "0.0.0.0" })).toThrow(/without API keys/);
    expect(parseServeConfig({ host: "0.0.0.0", apiKeys: ["x".repeat(16)] }).host).toBe("0.0.0.0");
    expect(parseServeConfig({ host: "::1" }).apiKeys).toEqual([]);
  });
});
