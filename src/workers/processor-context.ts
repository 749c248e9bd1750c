import { createRedisClient, redactPassword } from "../../queues/connection.js";
import { WorkerSetupError } from "../errors/index.js";
import { createModels, type Models } from "../model/models.js";
import { createStore, type Store } from "../store/store.js";
import type { WorkerConfig } from "./config.js";
import { withLoadLog } from "./model-load-log.js";

export interface ProcessorContext {
  readonly config: WorkerConfig;
  readonly store: Store;
  readonly models: Models;
}

/**
 * The state the job thread keeps across jobs: a Redis connection for the store and one model
 * set, each model loaded on first use and then shared by every job of every queue this process
 * serves, however many run at once. Created on the first job, so a thread whose Redis or models
 * are missing still starts; a failure is a `WorkerSetupError` and the next job tries again.
 * @throws WorkerSetupError when the models config is invalid (models themselves load later).
 */
export function lazyProcessorContext(
  config: WorkerConfig,
  log: (message: string) => void,
): () => Promise<ProcessorContext> {
  let context: Promise<ProcessorContext> | undefined;
  return () => {
    context ??= createContext(config, log).catch((error: unknown) => {
      context = undefined;
      throw new WorkerSetupError(`worker setup failed: ${describe(error)}`);
    });
    return context;
  };
}

async function createContext(
  config: WorkerConfig,
  log: (message: string) => void,
): Promise<ProcessorContext> {
  // Like BullMQ's own connections, the store waits for Redis to come back instead of failing a
  // job's command after a few retries (the job's lock lapses anyway while Redis is away); its
  // commands queue until the connection is ready, so a Redis restart is not a setup failure.
  const redis = createRedisClient(config.redisUrl, config.redisTls, "blocking");
  // Without a listener ioredis prints "[ioredis] Unhandled error event" on every reconnect.
  let lastError = "";
  redis.on("error", (error: Error) => {
    const message = redactPassword(error.message, config.redisUrl);
    if (message !== lastError) log(`store connection error: ${message} (retrying)`);
    lastError = message;
  });
  redis.on("ready", () => {
    lastError = "";
  });
  return {
    config,
    store: createStore(redis, config.prefix, config.retention),
    models: withLoadLog(createModels(config.models), log),
  };
}

/** Loads a model through `load`, reporting a failure as a setup failure, not the job's. */
export async function loadModel<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new WorkerSetupError(`model loading failed: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
