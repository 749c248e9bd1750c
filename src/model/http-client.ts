import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { RemoteModelError } from "../errors/index.js";

/**
 * JSON over HTTP to OpenAI-compatible servers (OpenAI, vLLM, TGI, SGLang, llama.cpp), with a
 * timeout per attempt, retries with exponential backoff and jitter on network errors, timeouts,
 * 408/409/429 and 5xx (honouring Retry-After), an optional bearer API key, and zod-validated
 * responses. A response that fails validation is not retried: the server is up and answering
 * something else, so retrying would not help.
 */
export const httpClientSchema = z.strictObject({
  /** Base URL; "/v1" is appended when the path has no version segment ("http://host:8000"). */
  baseUrl: z.url(),
  apiKey: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().default(60_000),
  /** Extra attempts after the first one. */
  retries: z.number().int().nonnegative().default(3),
  /** First backoff delay; doubles each retry (with ±50% jitter) up to maxBackoffMs. */
  backoffMs: z.number().int().nonnegative().default(500),
  maxBackoffMs: z.number().int().nonnegative().default(10_000),
});

export type HttpClientOptions = z.input<typeof httpClientSchema>;

const RETRY_AFTER_CAP_MS = 60_000;

function apiRoot(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = /\/v\d+$/.test(path) ? `${path}/` : `${path}/v1/`;
  return url.toString();
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, RETRY_AFTER_CAP_MS) : null;
}

/** The server's own error message, from OpenAI's `{ error: { message } }` or plain text. */
function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      message?: unknown;
    };
    const error = parsed.error;
    const message = typeof error === "string" ? error : (error?.message ?? parsed.message);
    if (typeof message === "string") return message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.length > 300 ? `${body.slice(0, 300)}…` : body;
}

class AttemptError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly retryAfter: number | null = null,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export class JsonHttpClient {
  private readonly options: z.output<typeof httpClientSchema>;
  private readonly root: string;

  constructor(options: HttpClientOptions) {
    this.options = httpClientSchema.parse(options);
    this.root = apiRoot(this.options.baseUrl);
  }

  get baseUrl(): string {
    return this.root;
  }

  /** POSTs `body` as JSON to `path` (relative to the API root) and validates the reply. */
  post<T>(path: string, body: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    return this.request("POST", path, body, schema, signal);
  }

  get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    return this.request("GET", path, undefined, schema, signal);
  }

  private async request<T>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const url = new URL(path, this.root).toString();
    const { retries, backoffMs, maxBackoffMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let json: unknown;
      try {
        json = await this.attempt(method, url, body, signal);
      } catch (error) {
        signal?.throwIfAborted();
        const failure =
          error instanceof AttemptError ? error : new AttemptError(String(error), null, false);
        if (!failure.retryable || attempt > retries) {
          throw new RemoteModelError(
            `${method} ${url} failed after ${attempt} attempt${attempt > 1 ? "s" : ""}: ${failure.message}`,
            { url, status: failure.status, attempts: attempt, retryable: failure.retryable },
            { cause: failure.cause ?? failure },
          );
        }
        const backoff = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
        const jittered = backoff * (0.5 + Math.random());
        await sleep(Math.max(jittered, failure.retryAfter ?? 0), undefined, { signal });
        continue;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw new RemoteModelError(
          `${method} ${url} returned an unexpected response: ${z.prettifyError(parsed.error)}`,
          { url, status: 200, attempts: attempt, retryable: false },
        );
      }
      return parsed.data;
    }
  }

  private async attempt(
    method: string,
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      const timedOut = timeout.aborted;
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason = timedOut
        ? `timed out after ${this.options.timeoutMs} ms`
        : `network error (${cause instanceof Error ? cause.message : String(cause)})`;
      throw new AttemptError(reason, null, true, null, { cause: error });
    }
    if (!response.ok) {
      throw new AttemptError(
        `HTTP ${response.status}: ${serverMessage(text)}`,
        response.status,
        retryableStatus(response.status),
        retryAfterMs(response.headers.get("retry-after")),
      );
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new AttemptError(
        `response is not JSON: ${serverMessage(text)}`,
        response.status,
        false,
        null,
        {
          cause: error,
        },
      );
    }
  }
}
