import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError } from "./errors.js";

/** Routes that load balancers and orchestrators probe without credentials. */
const OPEN_ROUTES = new Set(["/healthz", "/readyz"]);

/** Env variable with comma-separated API keys. */
export const API_KEYS_ENV = "CTXPRESS_API_KEYS";

/**
 * API keys from `CTXPRESS_API_KEYS` (comma-separated) and a file (one key per line; `#` starts a
 * comment). Throws when the file cannot be read.
 */
export async function loadApiKeys(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const fromEnv = (env[API_KEYS_ENV] ?? "").split(",");
  const fromFile = file === undefined ? [] : (await readFile(file, "utf8")).split("\n");
  return [...fromEnv, ...fromFile]
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((key) => key !== "");
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** The bearer token of a request, or null. */
export function bearerToken(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "");
  return match?.[1]?.trim() ?? null;
}

/**
 * Requires `Authorization: Bearer <key>` with one of `keys` on every route but the health checks.
 * Keys are compared as SHA-256 digests in constant time. No keys: nothing is checked.
 */
export function registerApiKeys(app: FastifyInstance, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const digests = keys.map(digest);
  app.addHook("onRequest", async (request) => {
    if (OPEN_ROUTES.has(request.url.split("?")[0] ?? "")) return;
    const token = bearerToken(request);
    if (token === null) {
      throw new HttpError(
        401,
        "authentication_error",
        "missing_api_key",
        "missing API key: send Authorization: Bearer <key>",
      );
    }
    const presented = digest(token);
    if (!digests.some((each) => timingSafeEqual(each, presented))) {
      throw new HttpError(401, "authentication_error", "invalid_api_key", "invalid API key");
    }
  });
}
