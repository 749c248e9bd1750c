import { z } from "zod";
import { CompressionInputError } from "../errors/compression-input-error.js";
import { InternalInvariantError } from "../errors/internal-invariant-error.js";
import { bm25BlocksCompressor } from "./baselines/bm25-blocks.js";
import { randomCompressor } from "./baselines/random-drop.js";
import { selectiveContextCompressor } from "./baselines/selective-context.js";
import { truncateCompressor } from "./baselines/truncate.js";
import { gistCompressor } from "./gist/gist.js";
import { landmarkCompressor } from "./landmark/landmark.js";
import { landmarkLongLlmlinguaCompressor } from "./landmark/landmark-longllmlingua.js";
import { llmlinguaCompressor } from "./llmlingua.js";
import { llmlingua2Compressor } from "./llmlingua2/index.js";
import { longLlmlinguaCompressor } from "./longllmlingua.js";
import { type CompressRequestInput, compressInputSchema, DEFAULT_INPUT_LIMITS } from "./options.js";
import type {
  CompressEnv,
  CompressInput,
  CompressionResult,
  CompressionResultFor,
  Compressor,
  InputLimits,
  ModelRole,
} from "./types.js";

/**
 * Every compression method. A new method is one file exporting a compressor (its options schema
 * a `z.strictObject` with `method: z.literal(...)`, usually spreading `sharedOptionsShape`),
 * declared `as const satisfies Compressor<...>`, and one entry in this list.
 */
const registered = [
  llmlinguaCompressor,
  longLlmlinguaCompressor,
  llmlingua2Compressor,
  truncateCompressor,
  randomCompressor,
  selectiveContextCompressor,
  bm25BlocksCompressor,
  landmarkCompressor,
  landmarkLongLlmlinguaCompressor,
  gistCompressor,
] as const;

type OptionSchemas<T extends readonly { optionsSchema: unknown }[]> = {
  -readonly [K in keyof T]: T[K]["optionsSchema"];
};

/** The options of every method: a discriminated union on `method`. */
export const compressOptionsSchema = z.discriminatedUnion(
  "method",
  // Array#map loses the tuple type; this is the tuple it returns.
  registered.map((compressor) => compressor.optionsSchema) as OptionSchemas<typeof registered>,
);

/** Options after defaults were applied. */
export type CompressOptions = z.output<typeof compressOptionsSchema>;
/** Options as callers write them (defaults may be left out). */
export type CompressOptionsInput = z.input<typeof compressOptionsSchema>;
export type CompressionMethod = CompressOptions["method"];

export const METHODS: readonly CompressionMethod[] = registered.map((c) => c.method);

/** The model `method` cannot start without (see Compressor.requiredModel); unknown: the scorer. */
export function requiredModel(method: unknown): ModelRole {
  return registered.find((compressor) => compressor.method === method)?.requiredModel ?? "scorer";
}

/** A compressor behind an untyped front: it parses the options with its own schema. */
interface Entry {
  validate(input: CompressInput, options: CompressOptions): void;
  compress(
    input: CompressInput,
    options: CompressOptions,
    env: CompressEnv,
  ): Promise<CompressionResult>;
}

function entry<Options extends { method: string }>(compressor: Compressor<Options>): Entry {
  // Re-parsing already parsed options is idempotent and cheap, and types them for this method.
  const own = (options: CompressOptions) => compressor.optionsSchema.parse(options);
  return {
    validate: (input, options) => compressor.validate?.(input, own(options)),
    compress: (input, options, env) => compressor.compress(input, own(options), env),
  };
}

const entries = new Map<string, Entry>(
  registered.map((compressor): [string, Entry] => [
    compressor.method,
    entry<CompressOptions>(compressor),
  ]),
);

function entryFor(method: unknown): Entry {
  const found = typeof method === "string" ? entries.get(method) : undefined;
  if (found === undefined) {
    throw CompressionInputError.of(
      ["options", "method"],
      `unknown method ${JSON.stringify(method) ?? "undefined"}; known methods: ${METHODS.join(", ")}`,
    );
  }
  return found;
}

export function parseCompressOptions(raw: unknown): CompressOptions {
  entryFor(typeof raw === "object" && raw !== null && "method" in raw ? raw.method : undefined);
  const parsed = compressOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new CompressionInputError(parsed.error.issues).under(["options"]);
  return parsed.data;
}

export function parseCompressInput(raw: unknown, limits: Partial<InputLimits> = {}): CompressInput {
  const parsed = compressInputSchema({ ...DEFAULT_INPUT_LIMITS, ...limits }).safeParse(raw);
  if (!parsed.success) throw new CompressionInputError(parsed.error.issues).under(["input"]);
  return parsed.data;
}

export interface ValidRequest {
  readonly input: CompressInput;
  readonly options: CompressOptions;
}

/**
 * Everything `compress` checks before it touches a model; producers call it before enqueueing so
 * that bad input is refused up front. Throws a `CompressionInputError`.
 */
export function validateCompressRequest(
  input: CompressRequestInput,
  options: CompressOptionsInput,
  limits: Partial<InputLimits> = {},
): ValidRequest {
  const valid = {
    input: parseCompressInput(input, limits),
    options: parseCompressOptions(options),
  };
  entryFor(valid.options.method).validate(valid.input, valid.options);
  return valid;
}

/**
 * The entry point: validates input and options (a `CompressionInputError` on bad ones),
 * dispatches on `options.method`, reports progress through `env.onProgress` and stops with the
 * signal's reason when `env.signal` aborts.
 */
export async function runCompression<Options extends CompressOptionsInput>(
  input: CompressRequestInput,
  options: Options,
  env: CompressEnv,
): Promise<CompressionResultFor<Options["method"]>> {
  env.signal?.throwIfAborted();
  const valid = validateCompressRequest(input, options, env.limits);
  const result = await entryFor(valid.options.method).compress(valid.input, valid.options, env);
  // Only gist writes vectors (see CompressionResultFor); anything else is a bug in a compressor.
  if ((result.kind === "vectors") !== (valid.options.method === "gist")) {
    throw new InternalInvariantError(`${valid.options.method} returned a ${result.kind} result`);
  }
  return result as CompressionResultFor<Options["method"]>;
}
