import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import {
  CompressionInputError,
  ContextWindowError,
  JobFailedError,
  JobNotFoundError,
  JobTimeoutError,
} from "../errors/index.js";

/** OpenAI's error types, which its clients read (`err.type`). */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "not_found_error"
  | "rate_limit_error"
  | "upstream_error"
  | "server_error";

/** The body of every error the server sends: OpenAI's shape, so OpenAI clients surface it. */
export interface ErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: ErrorType;
    readonly param: string | null;
    readonly code: string | null;
  };
}

/** An error with its HTTP status and OpenAI fields; anything else thrown by a route is a 500. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

function pathOf(path: readonly PropertyKey[]): string | null {
  return path.length === 0 ? null : path.map(String).join(".");
}

/** Fastify's own errors (body parsing, limits, timeouts) by code. */
const FASTIFY_ERRORS: Record<string, [number, ErrorType, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "invalid_request_error", "invalid_json"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "invalid_request_error", "invalid_json"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "invalid_request_error", "invalid_content_length"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "invalid_request_error", "unsupported_media_type"],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "invalid_request_error", "request_too_large"],
};

/** What the server answers for `error`: its status and OpenAI-shaped body. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const where = error.validationContext ?? "body";
    const param = pathOf(first?.instancePath.split("/").filter(Boolean) ?? []);
    const message = error.validation
      .map((each) => `${where}${each.instancePath.replaceAll("/", ".")}: ${each.message}`)
      .join("; ");
    return new HttpError(400, "invalid_request_error", "invalid_field", message, param);
  }
  if (error instanceof CompressionInputError) {
    const param = pathOf(error.issues[0]?.path ?? []);
    return new HttpError(400, "invalid_request_error", "invalid_field", error.message, param);
  }
  if (error instanceof ContextWindowError) {
    // OpenAI's code for the same mistake; the client can ask for a smaller rate.
    return new HttpError(400, "invalid_request_error", "context_length_exceeded", error.message);
  }
  if (error instanceof JobNotFoundError) {
    return new HttpError(404, "not_found_error", "job_not_found", error.message, "id");
  }
  if (error instanceof JobFailedError) {
    return new HttpError(500, "server_error", "job_failed", error.message);
  }
  if (error instanceof JobTimeoutError) {
    return new HttpError(504, "server_error", "timeout", error.message);
  }
  if (error instanceof Error && error.name === "TimeoutError") {
    return new HttpError(504, "server_error", "timeout", `request timed out: ${error.message}`);
  }
  const fastify = error as Partial<FastifyError>;
  const known = fastify.code === undefined ? undefined : FASTIFY_ERRORS[fastify.code];
  if (known) return new HttpError(known[0], known[1], known[2], fastify.message ?? "bad request");
  if (
    typeof fastify.statusCode === "number" &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    return new HttpError(
      fastify.statusCode,
      "invalid_request_error",
      fastify.code ?? "bad_request",
      fastify.message ?? "bad request",
    );
  }
  return new HttpError(500, "server_error", "internal_error", "internal server error");
}

/** Fastify's error handler: every error in OpenAI's shape; 5xx are logged with their cause. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const http = toHttpError(error);
  if (http.status >= 500) request.log.error({ err: error }, http.message);
  if (reply.sent || reply.raw.headersSent) return;
  void reply.code(http.status).send(http.toBody());
}

/** Unknown routes, in OpenAI's shape. */
export function sendNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .code(404)
    .send(
      new HttpError(
        404,
        "not_found_error",
        "not_found",
        `no route ${request.method} ${request.url.split("?")[0]}`,
      ).toBody(),
    );
}
