/**
 * `ctxpress serve` as a process, in front of an upstream that records what it receives, called
 * by the official `openai` package and by fetch: the compressed prompt is shorter, the `ctxpress`
 * field is gone, the question and the stream arrive intact; SIGTERM drains in-flight requests.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type OpenAiUpstream,
  STREAMED_PIECES,
  startOpenAiUpstream,
} from "../../bench/server/openai-upstream.js";
import { LONG_CONTEXT, postJson, type ServeProcess, startServe } from "./serve-fixture.js";

let upstream: OpenAiUpstream;
let serve: ServeProcess;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startOpenAiUpstream();
  serve = await startServe(["--upstream", upstream.baseUrl]);
  client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: "client-key", maxRetries: 0 });
}, 180_000);

afterAll(async () => {
  serve?.process.signal("SIGKILL", "group");
  await upstream?.close();
});

const question = "What did the keeper write in the ledger?";

function lastReceived() {
  const last = upstream.received.at(-1);
  if (last === undefined) throw new Error("the upstream received nothing");
  return last as typeof last & { body: Record<string, unknown> };
}

describe("the gateway with real clients", () => {
  it("compresses a chat request for the official openai client and strips the ctxpress field", async () => {
    const request = {
      model: "upstream-model",
      messages: [
        { role: "system" as const, content: LONG_CONTEXT },
        { role: "user" as const, content: `Here are my notes.\n\n${LONG_CONTEXT}\n\n${question}` },
      ],
      ctxpress: { method: "llmlingua", rate: 0.4 },
    };
    const { data, response } = await client.chat.completions
      .create(request as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(STREAMED_PIECES.join(""));
    expect(response.headers.get("x-ctxpress-compression")).toBe("compressed");
    const original = Number(response.headers.get("x-ctxpress-original-tokens"));
    const compressed = Number(response.headers.get("x-ctxpress-compressed-tokens"));
    expect(compressed).toBeLessThan(original);
    expect(Number(response.headers.get("x-ctxpress-ratio"))).toBeCloseTo(original / compressed, 1);

    const received = lastReceived();
    expect(received.path).toBe("/v1/chat/completions");
    expect(received.body).not.toHaveProperty("ctxpress");
    expect(received.headers.authorization).toBe("Bearer client-key");
    const [system, user] = received.body.messages as { content: string }[];
    expect(system?.content.length).toBeLessThan(LONG_CONTEXT.length * 0.8);
    // The question of the last user turn is never compressed.
    expect(user?.content.endsWith(`\n\n${question}`)).toBe(true);
    expect(user?.content.length).toBeLessThan(LONG_CONTEXT.length);
  });

  it("passes a stream through chunk by chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "upstream-model",
      stream: true,
      messages: [{ role: "user", content: `${LONG_CONTEXT}\n\n${question}` }],
      ctxpress: { method: "llmlingua", rate: 0.5 },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? "");
    expect(pieces).toEqual(STREAMED_PIECES);
    expect(lastReceived().body.stream).toBe(true);
  });

  it("forwards requests without a ctxpress field untouched, and lists the upstream's models", async () => {
    const messages = [{ role: "user" as const, content: `${LONG_CONTEXT}\n\n${question}` }];
    const { response } = await client.chat.completions
      .create({ model: "upstream-model", messages })
      .withResponse();
    expect(response.headers.get("x-ctxpress-compression")).toBe("skipped");
    expect(lastReceived().body).toEqual({ model: "upstream-model", messages });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(["upstream-model"]);
  });

  it("compresses a completion prompt over plain HTTP, keeping its last paragraph", async () => {
    const response = await postJson(`${serve.url}/v1/completions`, {
      model: "upstream-model",
      prompt: `${LONG_CONTEXT}\n\n${question}`,
      ctxpress: { method: "llmlingua2", rate: 0.5 },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-ctxpress-compression")).toBe("compressed");
    const prompt = lastReceived().body.prompt as string;
    expect(prompt.length).toBeLessThan(LONG_CONTEXT.length);
    expect(prompt.endsWith(`\n\n${question}`)).toBe(true);
  });

  it("fails open: a text the compressor refuses is forwarded as it came, and says so", async () => {
    const content = `${LONG_CONTEXT}\u0000\n\n${question}`;
    const { response } = await client.chat.completions
      .create({
        model: "upstream-model",
        messages: [{ role: "user", content }],
        ctxpress: { method: "llmlingua" },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    expect(response.headers.get("x-ctxpress-compression")).toBe("failed");
    expect(response.headers.get("x-ctxpress-error")).toMatch(/Invalid compression request/);
    expect((lastReceived().body.messages as { content: string }[])[0]?.content).toBe(content);
  });

  it("refuses a bad ctxpress field with a 400 the openai client reports, and passes upstream errors on", async () => {
    const error = await client.chat.completions
      .create({
        model: "upstream-model",
        messages: [{ role: "user", content: "hi" }],
        ctxpress: { method: "llmlingua", rate: 3 },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "ctxpress.rate", code: "invalid_field" });

    const badKey = new OpenAI({
      baseURL: `${serve.url}/v1`,
      apiKey: "bad-upstream-key",
      maxRetries: 0,
    });
    await expect(badKey.models.list()).rejects.toMatchObject({
      status: 401,
      code: "invalid_api_key",
    });
  });

  it("drains on SIGTERM: a request in flight still gets its answer, then the process exits 0", async () => {
    const inFlight = postJson(`${serve.url}/v1/compress`, {
      contexts: [LONG_CONTEXT.repeat(4)],
      options: { method: "llmlingua", rate: 0.3 },
    });
    // Long enough for the request to arrive; its compression takes seconds on tiny-random.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    serve.process.signal("SIGTERM", "parent");
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { method: string }).method).toBe("llmlingua");
    const exited = await serve.process.exited;
    expect(exited, serve.process.output()).toEqual({ code: 0, signal: null });
    expect(serve.process.output()).toMatch(/SIGTERM: draining/);
  });
});
