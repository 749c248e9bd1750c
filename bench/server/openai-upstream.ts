import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the upstream received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  /** The parsed JSON body (undefined for GET). */
  readonly body: unknown;
}

export interface OpenAiUpstream {
  /** The base URL a client (or `ctxpress serve --upstream`) uses: `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: string;
  /** Every request so far, in order (off with `record: false`). */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** The pieces a streamed answer arrives in. */
export const STREAMED_PIECES = ["The ", "passkey ", "is ", "48213", "."];

function completion(model: string, chat: boolean) {
  const text = STREAMED_PIECES.join("");
  return {
    id: "cmpl-upstream",
    object: chat ? "chat.completion" : "text_completion",
    created: 0,
    model,
    choices: [
      chat
        ? { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }
        : { index: 0, text, finish_reason: "stop", logprobs: null },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 },
  };
}

function sendStream(response: ServerResponse, model: string, chat: boolean): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const piece of STREAMED_PIECES) {
    const choice = chat
      ? { index: 0, delta: { content: piece }, finish_reason: null }
      : { index: 0, text: piece, finish_reason: null };
    const chunk = {
      id: "cmpl-upstream",
      object: chat ? "chat.completion.chunk" : "text_completion",
      created: 0,
      model,
      choices: [choice],
    };
    response.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  response.end("data: [DONE]\n\n");
}

/**
 * A minimal OpenAI-compatible server on loopback, the gateway's upstream in tests and benchmarks
 * (deliberately plain `node:http`: it stands for vLLM and should add as little as possible). It
 * records what it receives and answers chat completions and completions (plain or streamed),
 * `GET /v1/models`, and a 401 in OpenAI's shape when the bearer token is `bad-upstream-key`.
 */
export async function startOpenAiUpstream({ record = true } = {}): Promise<OpenAiUpstream> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    let raw = "";
    for await (const chunk of request) raw += chunk;
    const body: unknown = raw === "" ? undefined : JSON.parse(raw);
    const path = request.url ?? "/";
    if (record)
      received.push({ method: request.method ?? "GET", path, headers: request.headers, body });
    if (request.headers.authorization === "Bearer bad-upstream-key") {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: {
            message: "bad key",
            type: "invalid_request_error",
            param: null,
            code: "invalid_api_key",
          },
        }),
      );
      return;
    }
    if (request.method === "GET" && path === "/v1/models") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          object: "list",
          data: [{ id: "upstream-model", object: "model", created: 0, owned_by: "test" }],
        }),
      );
      return;
    }
    const chat = path === "/v1/chat/completions";
    if (request.method !== "POST" || (!chat && path !== "/v1/completions")) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: {
            message: "no such route",
            type: "invalid_request_error",
            param: null,
            code: null,
          },
        }),
      );
      return;
    }
    const { model = "upstream-model", stream = false } = body as {
      model?: string;
      stream?: boolean;
    };
    if (stream) return sendStream(response, model, chat);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(completion(model, chat)));
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
