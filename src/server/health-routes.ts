import type { FastifyInstance } from "fastify";
import type { CompressionBackend } from "./backend.js";
import { HttpError } from "./errors.js";

/**
 * `/healthz`: the process answers (liveness). `/readyz`: it can do its work — models loaded in
 * process, Redis reachable in queue mode, not shutting down — else 503 with the failed checks.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  backend: CompressionBackend,
  draining: () => boolean,
): void {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async () => {
    const checks = [
      ...(await backend.readiness()),
      { name: "accepting", ok: !draining(), ...(draining() ? { detail: "shutting down" } : {}) },
    ];
    const failed = checks.filter((check) => !check.ok);
    if (failed.length > 0) {
      throw new HttpError(
        503,
        "server_error",
        "not_ready",
        `not ready: ${failed.map((check) => `${check.name} (${check.detail ?? "failed"})`).join(", ")}`,
      );
    }
    return { status: "ready", mode: backend.mode, checks };
  });
}
