import { z } from "zod";
import { prefixSchema, redisTlsSchema, redisUrlSchema } from "../../queues/connection.js";
import { DEFAULT_PREFIX, DEFAULT_REDIS_URL } from "../../queues/names.js";
import { UsageError } from "../errors/index.js";
import { modelsConfigSchema } from "../model/provider-config.js";

/** Compression the gateway applies to requests that carry no `ctxpress` field. */
export const gatewayPolicySchema = z.strictObject({
  /** Messages (and completion prompts) with at least this many cl100k tokens are compressed. */
  minTokens: z.number().int().positive(),
  /** Compression options, as in a request's `ctxpress` field. */
  options: z.looseObject({ method: z.string() }),
});
export type GatewayPolicy = z.infer<typeof gatewayPolicySchema>;

/**
 * Everything `ctxpress serve` runs with, validated before the server starts. Defaults: loopback
 * on port 8080, compression in this process with the embedded models, no upstream.
 */
export const serveConfigSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65_535).default(8080),
  /** Base URL of the OpenAI-compatible server the gateway forwards to (e.g. `http://gpu:8000/v1`). */
  upstream: z.url({ protocol: /^https?$/ }).optional(),
  /** Sent as the upstream's bearer token instead of the client's `Authorization`. */
  upstreamApiKey: z.string().min(1).optional(),
  /** Compress through BullMQ workers (Redis) instead of in this process. */
  queue: z.boolean().default(false),
  redisUrl: redisUrlSchema.default(DEFAULT_REDIS_URL),
  prefix: prefixSchema.default(DEFAULT_PREFIX),
  /** TLS files for a rediss:// URL (CA, client certificate and key, server name). */
  redisTls: redisTlsSchema.optional(),
  /** Bearer keys clients must present; none means no authentication (loopback hosts only). */
  apiKeys: z.array(z.string().min(16, "API keys must be at least 16 characters")).default([]),
  /** Largest request body in bytes (413 above it). */
  bodyLimit: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** Longest a request may wait for its compression, answer or index (504 after it). */
  workTimeoutMs: z.number().int().positive().default(120_000),
  /** Longest the upstream may take to send response headers (502 after it). */
  upstreamTimeoutMs: z.number().int().positive().default(300_000),
  /** Compressions, answers and indexings running at once; more are refused with 429. */
  maxInFlight: z.number().int().positive().default(32),
  /** On SIGTERM, in-flight requests get this long to finish before the process exits. */
  drainTimeoutMs: z.number().int().nonnegative().default(30_000),
  /** When the gateway's compression fails: forward the request uncompressed (true) or answer 502. */
  failOpen: z.boolean().default(true),
  policy: gatewayPolicySchema.optional(),
  /** Largest context, instruction or question, in UTF-16 code units (the compressor's default when absent). */
  maxDocumentChars: z.number().int().positive().optional(),
  models: modelsConfigSchema.default(modelsConfigSchema.parse({})),
});
export type ServeConfig = z.infer<typeof serveConfigSchema>;
export type ServeConfigInput = z.input<typeof serveConfigSchema>;

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses the configuration and refuses a server reachable from other machines without API keys.
 * @throws ZodError naming the bad field; `UsageError` for a non-loopback host without API keys.
 */
export function parseServeConfig(input: ServeConfigInput | Record<string, unknown>): ServeConfig {
  const config = serveConfigSchema.parse(input);
  if (config.apiKeys.length === 0 && !isLoopbackHost(config.host)) {
    throw new UsageError(
      `refusing to listen on ${config.host} without API keys: set CTXPRESS_API_KEYS or --api-keys-file (only loopback hosts may run without them)`,
    );
  }
  return config;
}
