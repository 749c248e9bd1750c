import { buildServer, type CtxpressServer } from "./app.js";
import type { ServeConfig } from "./config.js";

export type ServeLog = (message: string) => void;

/**
 * Starts `ctxpress serve`: listens, then warms the models (`/readyz` answers 503 until they are
 * loaded). SIGTERM or SIGINT drains: no new requests (503), in-flight ones get `drainTimeoutMs`
 * to finish, then the process exits; a second signal exits at once.
 */
export async function startServer(config: ServeConfig, log: ServeLog): Promise<CtxpressServer> {
  const server = await buildServer(config, { logger: { level: "warn" } });
  const address = await server.app.listen({ host: config.host, port: config.port });
  const where = [
    server.backend.mode === "queue" ? `queue mode (prefix ${config.prefix})` : "in-process",
    config.upstream ? `gateway to ${config.upstream}` : "no upstream",
    config.apiKeys.length > 0 ? `${config.apiKeys.length} API key(s)` : "no API keys",
  ];
  log(`listening on ${address} (${where.join(", ")}; pid ${process.pid})`);
  server.backend.warm().then(
    () => log("ready"),
    (error: Error) => log(`models failed to load: ${error.message}`),
  );
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log(`${signal} again: exiting without waiting for in-flight requests`);
      process.exit(1);
    }
    signalled = true;
    log(`${signal}: draining in-flight requests (up to ${config.drainTimeoutMs} ms)`);
    const timer = setTimeout(() => {
      log("drain timeout: exiting with requests still in flight");
      process.exit(1);
    }, config.drainTimeoutMs);
    timer.unref();
    server.close().then(
      () => {
        log("stopped");
        process.exit(0);
      },
      (error: Error) => {
        log(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return server;
}
