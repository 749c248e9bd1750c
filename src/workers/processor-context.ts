import { Redis } from "ioredis";
import { redisOptionsFromUrl } from "../../queues/connection.js";
import { WorkerSetupError } from "../errors/index.js";
import { createModels, type Models } from "../model/models.js";
import { createStore, type Store } from "../store/store.js";
import { type WorkerConfig, workerConfigFromEnv } from "./config.js";

export interface ProcessorContext {
  readonly config: WorkerConfig;
  readonly store: Store;
  readonly models: Models;
}

let context: Promise<ProcessorContext> | undefined;

/**
 * The state a child process keeps across jobs: its configuration, a Redis connection for the
 * store, and the models, each loaded on first use and then reused for every later job. Nothing
 * happens at import time, so importing a processor file cannot fail on a missing model.
 */
export function processorContext(): Promise<ProcessorContext> {
  context ??= createContext().catch((error: unknown) => {
    context = undefined;
    throw new WorkerSetupError(`worker setup failed: ${describe(error)}`);
  });
  return context;
}

async function createContext(): Promise<ProcessorContext> {
  const config = workerConfigFromEnv();
  const redis = new Redis({ ...redisOptionsFromUrl(config.redisUrl), lazyConnect: true });
  await redis.connect();
  return {
    config,
    store: createStore(redis, config.prefix, config.retention),
    models: createModels(config.models),
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
