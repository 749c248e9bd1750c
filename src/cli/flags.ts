import { type Command, InvalidArgumentError, Option } from "commander";
import type { RedisTls } from "../../queues/connection.js";
import { DEFAULT_PREFIX, DEFAULT_REDIS_URL } from "../../queues/names.js";
import type { GenerationOptionsInput } from "../../queues/schemas.js";
import type { CompressOptionsInput } from "../compressors/index.js";
import type { CompressInput } from "../compressors/types.js";
import { UsageError } from "../errors/index.js";
import type { ModelsConfigInput } from "../model/provider-config.js";
import { splitIntoContexts } from "../sdk/chunk.js";
import { readJsonFile } from "./io.js";

/** Flags of every command that builds a compression request. */
export interface RequestFlags {
  readonly method?: string;
  readonly rate?: number;
  readonly targetTokens?: number;
  readonly question?: string;
  readonly instruction?: string;
  readonly options?: string;
  readonly maxDocumentChars?: number;
  readonly chunkChars?: number;
}

export interface GenerationFlags {
  readonly maxNewTokens?: number;
  readonly stop?: string[];
}

export interface RedisFlags {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly redisTlsCa?: string;
  readonly redisTlsCert?: string;
  readonly redisTlsKey?: string;
  readonly redisTlsServername?: string;
}

export function number(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) {
    throw new InvalidArgumentError("not a number");
  }
  return parsed;
}

export function integer(value: string): number {
  const parsed = number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError("not an integer");
  return parsed;
}

export function withRequestFlags(command: Command): Command {
  return command
    .option(
      "-m, --method <name>",
      "llmlingua, longllmlingua, llmlingua2, landmark, landmark+longllmlingua, gist, bm25-blocks, truncate, random, selective-context, … (default: landmark with --question, else llmlingua)",
    )
    .option("-r, --rate <fraction>", "fraction of tokens to keep, in (0, 1]", number)
    .option(
      "-t, --target-tokens <n>",
      "token budget for the whole prompt (overrides --rate)",
      integer,
    )
    .option(
      "-q, --question <text>",
      "question kept verbatim after the context (question-aware methods use it)",
    )
    .option("-i, --instruction <text>", "instruction kept verbatim before the context")
    .option("-o, --options <json>", 'more method options as JSON, e.g. \'{"reorder":"original"}\'')
    .option("--max-document-chars <n>", "refuse documents longer than this", integer)
    .option(
      "--chunk-chars <n>",
      "split each document into contexts of whole paragraphs up to this long (lets question-aware methods drop whole parts)",
      integer,
    );
}

export function withModelFlags(command: Command): Command {
  return command.option(
    "--models <file>",
    "model configuration (JSON; scorer and decoder); default: the embedded models in models/",
  );
}

export function withGenerationFlags(command: Command): Command {
  return command
    .option("--max-new-tokens <n>", "longest answer, in decoder tokens", integer)
    .option("--stop <text...>", "stop the answer at any of these strings");
}

export function withRedisFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--redis-url <url>",
        "Redis to use: redis://[user:password@]host:port[/db], rediss:// for TLS, redis+cluster://host:port,host:port,… for a cluster (with a {hash-tag} --prefix)",
      )
        .env("CTXPRESS_REDIS_URL")
        .default(process.env.REDIS_URL ?? DEFAULT_REDIS_URL),
    )
    .addOption(
      new Option("--prefix <prefix>", "key prefix of the queues and stored data")
        .env("CTXPRESS_PREFIX")
        .default(DEFAULT_PREFIX),
    )
    .addOption(
      new Option(
        "--redis-tls-ca <file>",
        "TLS: PEM CA that signed the Redis server's certificate",
      ).env("CTXPRESS_REDIS_TLS_CA"),
    )
    .addOption(
      new Option("--redis-tls-cert <file>", "TLS: PEM client certificate (mutual TLS)").env(
        "CTXPRESS_REDIS_TLS_CERT",
      ),
    )
    .addOption(
      new Option("--redis-tls-key <file>", "TLS: PEM key of --redis-tls-cert").env(
        "CTXPRESS_REDIS_TLS_KEY",
      ),
    )
    .addOption(
      new Option(
        "--redis-tls-servername <name>",
        "TLS: name the server's certificate must carry (default: the URL's host)",
      ).env("CTXPRESS_REDIS_TLS_SERVERNAME"),
    );
}

/**
 * Where Redis is, as the SDK and the workers take it: URL, prefix and the TLS settings the
 * --redis-tls-* flags (or their CTXPRESS_REDIS_TLS_* variables) give, if any.
 */
export function redisSettingsFromFlags(flags: RedisFlags): {
  redisUrl: string;
  prefix: string;
  redisTls?: RedisTls;
} {
  const redisTls = redisTlsFromFlags(flags);
  return { redisUrl: flags.redisUrl, prefix: flags.prefix, ...(redisTls ? { redisTls } : {}) };
}

function redisTlsFromFlags(flags: RedisFlags): RedisTls | undefined {
  const tls = {
    ...(flags.redisTlsCa !== undefined ? { caFile: flags.redisTlsCa } : {}),
    ...(flags.redisTlsCert !== undefined ? { certFile: flags.redisTlsCert } : {}),
    ...(flags.redisTlsKey !== undefined ? { keyFile: flags.redisTlsKey } : {}),
    ...(flags.redisTlsServername !== undefined ? { serverName: flags.redisTlsServername } : {}),
  };
  return Object.keys(tls).length === 0 ? undefined : tls;
}

/** Answering without a question would only continue the text. */
export function requireQuestion(flags: RequestFlags): void {
  if (flags.question === undefined) throw new UsageError("answering needs --question");
}

/**
 * The method of a request that names none. With a question, landmark: of the methods the
 * benchmark compared, it kept the answer in the compressed prompt most often (94% of the quick
 * suite's samples at rate 1/10, against 6% for LongLLMLingua; docs/BENCHMARKS.md). Without one,
 * llmlingua: block retrieval ranks blocks by the question, and needs one.
 */
export function defaultMethod(question: string | undefined): "landmark" | "llmlingua" {
  return question === undefined ? "llmlingua" : "landmark";
}

/** The request the flags describe, over already-read documents. */
export function requestFromFlags(
  contexts: readonly string[],
  flags: RequestFlags,
): { input: CompressInput; options: CompressOptionsInput } {
  const extra = flags.options === undefined ? {} : parseJsonObject(flags.options, "--options");
  const { chunkChars } = flags;
  return {
    input: {
      contexts:
        chunkChars === undefined
          ? contexts
          : contexts.flatMap((text) => splitIntoContexts(text, chunkChars)),
      ...(flags.question !== undefined ? { question: flags.question } : {}),
      ...(flags.instruction !== undefined ? { instruction: flags.instruction } : {}),
    },
    // Unchecked here: the compressor's schema reports a bad method or option by name.
    options: {
      method: flags.method ?? defaultMethod(flags.question),
      ...extra,
      ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
      ...(flags.targetTokens !== undefined ? { targetTokens: flags.targetTokens } : {}),
    } as CompressOptionsInput,
  };
}

export function generationFromFlags(flags: GenerationFlags): GenerationOptionsInput {
  return {
    ...(flags.maxNewTokens !== undefined ? { maxNewTokens: flags.maxNewTokens } : {}),
    ...(flags.stop !== undefined ? { stop: flags.stop } : {}),
  };
}

/** The --models file's content, or {} for the embedded defaults. */
/** The `--models` file as read; `createModels` validates it (a `ModelConfigError` when invalid). */
export async function modelsConfigFromFlags(flags: {
  readonly models?: string;
}): Promise<ModelsConfigInput> {
  return flags.models === undefined
    ? {}
    : ((await readJsonFile(flags.models)) as ModelsConfigInput);
}

/** `text` as a JSON object; anything else is a `UsageError` naming `flag`. */
export function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} is not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`${flag} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
