import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ModelConfigError, RemoteModelError } from "../../src/errors/index.js";
import { OpenAiDecoder } from "../../src/model/openai-decoder.js";
import {
  type HttpDouble,
  type RecordedRequest,
  refusedUrl,
  sendJson,
  startHttpDouble,
} from "./fixtures/http-double.js";

type Reply = (request: RecordedRequest) => {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
};

let server: HttpDouble;
let replies: Reply[] = [];

const chatOk: Reply = (request) => {
  const body = JSON.parse(request.body) as { messages: { content: string }[]; max_tokens: number };
  return {
    status: 200,
    body: {
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: `echo: ${body.messages.at(-1)?.content}` },
          finish_reason: body.max_tokens < 5 ? "length" : "stop",
        },
      ],
      usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
    },
  };
};

beforeAll(async () => {
  // Answers each request with the next scripted reply (the last one repeats).
  server = await startHttpDouble(async (request, response) => {
    const reply = (replies.length > 1 ? replies.shift() : replies[0]) as Reply;
    const { status, body, headers, delayMs } = reply(request);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (!response.destroyed) sendJson(response, status, body, headers);
  });
});

beforeEach(() => {
  server.requests.length = 0;
  replies = [chatOk];
});

afterAll(async () => {
  await server.close();
});

const decoder = (options: Partial<ConstructorParameters<typeof OpenAiDecoder>[0]> = {}) =>
  new OpenAiDecoder({
    baseUrl: `${server.url}/v1`,
    model: "served-model",
    backoffMs: 1,
    ...options,
  });

describe("OpenAiDecoder", () => {
  it("posts chat messages and reads text, usage and finish reason", async () => {
    const generation = await decoder({ apiKey: "sk-test" }).generate(
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi?" },
      ],
      { maxNewTokens: 16, stop: ["\n\n"], temperature: 0 },
    );
    expect(generation).toMatchObject({
      text: "echo: Hi?",
      promptTokens: 11,
      completionTokens: 4,
      finishReason: "stop",
    });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      model: "served-model",
      max_tokens: 16,
      temperature: 0,
      stop: ["\n\n"],
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi?" },
      ],
    });
  });

  it("maps finish_reason length, and sends no key when none is configured", async () => {
    const generation = await decoder().generate("Hi?", { maxNewTokens: 2 });
    expect(generation.finishReason).toBe("length");
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    // A plain prompt in chat mode is one user message.
    expect(JSON.parse(server.requests[0]?.body ?? "{}").messages).toEqual([
      { role: "user", content: "Hi?" },
    ]);
  });

  it("sends plain prompts to /completions in completions mode", async () => {
    replies = [
      () => ({
        status: 200,
        body: {
          choices: [{ text: " Paris.", finish_reason: "stop" }],
          usage: { prompt_tokens: 5, completion_tokens: 2 },
        },
      }),
    ];
    const generation = await decoder({ promptMode: "completions" }).generate("Capital of France:", {
      maxNewTokens: 8,
    });
    expect(generation.text).toBe(" Paris.");
    expect(server.requests[0]?.path).toBe("/v1/completions");
    expect(JSON.parse(server.requests[0]?.body ?? "{}").prompt).toBe("Capital of France:");
  });

  it("appends /v1 to a base URL without a version, keeps other prefixes", async () => {
    await decoder({ baseUrl: server.url }).generate("a", { maxNewTokens: 8 });
    await decoder({ baseUrl: `${server.url}/openai/v1/` }).generate("a", { maxNewTokens: 8 });
    expect(server.requests.map((r) => r.path)).toEqual([
      "/v1/chat/completions",
      "/openai/v1/chat/completions",
    ]);
  });

  it("retries 500 and 429 (honouring Retry-After) with backoff, then succeeds", async () => {
    replies = [
      () => ({ status: 500, body: { error: { message: "boom" } } }),
      () => ({
        status: 429,
        body: { error: { message: "slow down" } },
        headers: { "retry-after": "0" },
      }),
      chatOk,
    ];
    const generation = await decoder({ retries: 3 }).generate("Hi?", { maxNewTokens: 8 });
    expect(generation.text).toBe("echo: Hi?");
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after the configured retries with the server's message", async () => {
    replies = [() => ({ status: 503, body: { error: { message: "overloaded" } } })];
    const error = await decoder({ retries: 2 })
      .generate("Hi?", { maxNewTokens: 8 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteModelError);
    expect(error).toMatchObject({ status: 503, attempts: 3, retryable: true });
    expect((error as Error).message).toMatch(/failed after 3 attempts: HTTP 503: overloaded/);
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry client errors", async () => {
    replies = [() => ({ status: 400, body: { error: { message: "max_tokens too large" } } })];
    const error = await decoder()
      .generate("Hi?", { maxNewTokens: 8 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, attempts: 1, retryable: false });
    expect((error as Error).message).toMatch(/max_tokens too large/);
    expect(server.requests).toHaveLength(1);
  });

  it("times out each attempt", async () => {
    replies = [(request) => ({ ...chatOk(request), delayMs: 2000 })];
    const started = Date.now();
    const error = await decoder({ timeoutMs: 150, retries: 1 })
      .generate("Hi?", { maxNewTokens: 8 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error).toBeInstanceOf(RemoteModelError);
    expect((error as Error).message).toMatch(/failed after 2 attempts: timed out after 150 ms/);
  });

  it("reports network errors", async () => {
    const error = await decoder({ baseUrl: await refusedUrl(), retries: 1 })
      .generate("Hi?", { maxNewTokens: 8 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteModelError);
    expect((error as Error).message).toMatch(/network error \(.*ECONNREFUSED/);
  });

  it("rejects a response that breaks the schema, without retrying", async () => {
    replies = [
      () => ({
        status: 200,
        body: { choices: [{ message: { content: "hi" }, finish_reason: "stop" }] },
      }),
    ];
    const error = await decoder()
      .generate("Hi?", { maxNewTokens: 8 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteModelError);
    expect((error as Error).message).toMatch(/unexpected response[\s\S]*usage/);
    expect(server.requests).toHaveLength(1);
  });

  it("validates its options", () => {
    expect(() => new OpenAiDecoder({ baseUrl: "not a url", model: "m" })).toThrow(ModelConfigError);
    expect(() => new OpenAiDecoder({ baseUrl: server.url, model: "" })).toThrow(/model/);
  });
});
