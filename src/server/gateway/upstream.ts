import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { Agent, request, errors as undiciErrors } from "undici";
import { HttpError } from "../errors.js";

/** Response headers that belong to one connection, not to the response. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "upgrade",
]);

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  /** The upstream's body, passed on chunk by chunk (a stream stays a stream). */
  readonly body: Readable;
}

/**
 * The OpenAI-compatible server behind the gateway, reached over a keep-alive connection pool.
 * `base` is what a client would use as its base URL (e.g. `http://gpu:8000/v1`).
 */
export class Upstream {
  private readonly agent: Agent;
  private readonly base: string;

  constructor(
    base: string,
    private readonly timeoutMs: number,
  ) {
    this.base = base.replace(/\/+$/, "");
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
  }

  /**
   * Sends `path` (relative to the base, e.g. `/chat/completions`) and resolves once the response
   * headers arrive. Any status is returned as is (the upstream's own errors are OpenAI-shaped);
   * no answer, a refused connection or a timeout throws `HttpError` 502.
   */
  async send(
    method: "GET" | "POST",
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<UpstreamResponse> {
    try {
      const response = await request(`${this.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      return {
        status: response.statusCode,
        headers: endToEnd(response.headers),
        body: response.body,
      };
    } catch (error) {
      if (signal.aborted) throw error;
      const timedOut = error instanceof undiciErrors.HeadersTimeoutError;
      throw new HttpError(
        502,
        "upstream_error",
        timedOut ? "upstream_timeout" : "upstream_unreachable",
        `upstream ${this.base} ${timedOut ? `sent no response within ${this.timeoutMs} ms` : `failed: ${(error as Error).message}`}`,
      );
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}
