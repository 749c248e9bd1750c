import type { z } from "zod";
import type {
  Embedder,
  LogProbScorer,
  Span,
  SummaryCompressor,
  TokenClassifier,
} from "../model/types.js";
import type { SummaryVectorProvider, SummaryVectorsKey } from "./gist/summary-vectors.js";
import type { LandmarkIndexProvider } from "./landmark/landmark-index.js";

/** What a user hands to any compressor. Validated by `compressInputSchema` (./options.ts). */
export interface CompressInput {
  /** One or more documents. A single long text is one context. */
  readonly contexts: readonly string[];
  /** Kept verbatim before the contexts. */
  readonly instruction?: string;
  /** Kept verbatim after the contexts; question-aware methods condition on it. */
  readonly question?: string;
}

export interface CompressedContext {
  /** Index of the context in the input. */
  readonly index: number;
  readonly text: string;
  /**
   * Kept [start, end) ranges of the original context, in order. For a structured context
   * (`<llmlingua …>` tags or typed segments) they index its plain text, the tags removed.
   */
  readonly keptSpans: Span[];
  readonly originalTokens: number;
  readonly compressedTokens: number;
}

export interface TokenCounts {
  readonly tokenizer: string;
  readonly originalTokens: number;
  readonly compressedTokens: number;
  /** originalTokens / compressedTokens (Infinity when nothing is kept). */
  readonly ratio: number;
  /** compressedTokens / originalTokens: the fraction kept, comparable to the requested rate. */
  readonly rate: number;
}

export interface CompressionStats {
  /** Counts in the compressor's own (scorer's) tokenizer; they cover the whole prompt. */
  readonly counts: TokenCounts;
  /** Counts in a target tokenizer (e.g. cl100k_base) when one was asked for. */
  readonly target?: TokenCounts;
  /** Wall time per stage ("tokenize", "coarse", "fine", ...) in milliseconds. */
  readonly timingsMs: Record<string, number>;
  readonly totalMs: number;
  /** Model id per role ("scorer", "classifier", ...). */
  readonly models: Record<string, string>;
}

/** One context compressed into summary vectors. */
export interface SummarizedContext extends SummaryVectorsKey {
  /** Index of the context in the input. */
  readonly index: number;
  /** The context's tokens in the AutoCompressor's tokenizer (BOS included). */
  readonly tokens: number;
  readonly segments: number;
  /** segments × κ. */
  readonly vectors: number;
  /** False when the vectors were already stored: no compression work was done for it. */
  readonly computed: boolean;
}

/**
 * A vector compression (`gist`): each context became summary vectors, stored outside the result
 * (Redis in workers, memory in process) under their keys; only `modelId` can read them.
 */
export interface SummaryVectors {
  readonly modelId: string;
  /** κ: vectors per segment. */
  readonly summaryTokens: number;
  readonly hiddenSize: number;
  /** In prompt order; the reader reads their vectors one context after another. */
  readonly contexts: readonly SummarizedContext[];
  /** What the reader reads after all vectors: the instruction and question, verbatim. */
  readonly readerText: string;
  /** Context tokens ÷ summary vectors (n·κ): the ratio of a vector method. */
  readonly ratio: number;
}

/** What every compression result has, whatever its kind. */
interface CompressionCommon {
  readonly method: string;
  /** Kept contexts in prompt order (which may differ from input order after reordering). */
  readonly contexts: CompressedContext[];
  readonly stats: CompressionStats;
  /** The options after defaults were applied. */
  readonly options: Record<string, unknown>;
}

/** A text compression (every method but `gist`): a shorter prompt any decoder can read. */
export interface TextCompression extends CompressionCommon {
  readonly kind: "text";
  /** Instruction, compressed contexts and question, joined: what goes to the decoder. */
  readonly prompt: string;
}

/**
 * A vector compression (`gist`): each context became summary vectors, which only the
 * AutoCompressor that wrote them can read. It has no `prompt`, so that it cannot be sent to a
 * decoder as text by mistake; answer it with `compressThenAnswer` or the queue's answer jobs.
 */
export interface VectorCompression extends CompressionCommon {
  readonly kind: "vectors";
  /** Where the summary vectors are, and what the reader reads after them. */
  readonly summary: SummaryVectors;
  /**
   * The prompt's layout for people and logs: instruction, one placeholder per context naming
   * its vectors, and the question. Not a prompt: no decoder can answer from it.
   */
  readonly preview: string;
}

/** What a compression returns; branch on `kind` ("text" or "vectors"). */
export type CompressionResult = TextCompression | VectorCompression;

/**
 * The result of a method known when compiling: `gist` gives a VectorCompression, any other
 * method a TextCompression, and a method not known until run time either.
 */
export type CompressionResultFor<Method> = [Method] extends ["gist"]
  ? VectorCompression
  : "gist" extends Method
    ? CompressionResult
    : TextCompression;

export interface Progress {
  readonly stage: string;
  /** 0..1 over the whole compression. */
  readonly fraction: number;
}

/** Models a compressor may ask for; each is loaded lazily, once per process. */
export interface ModelProvider {
  scorer(): Promise<LogProbScorer>;
  /** The embedder of landmark retrieval; providers without one cannot run those methods. */
  embedder?(): Promise<Embedder>;
  /** LLMLingua-2's token classifier; providers without one cannot run `llmlingua2`. */
  tokenClassifier?(): Promise<TokenClassifier>;
  /** The AutoCompressor of `gist`; providers without one cannot run that method. */
  summaryCompressor?(): Promise<SummaryCompressor>;
}

/** Input size limits; the entry point applies its defaults to any left out. */
export interface InputLimits {
  /** Largest context, instruction or question, in UTF-16 code units. */
  readonly maxDocumentChars: number;
}

export interface CompressEnv {
  readonly models: ModelProvider;
  readonly limits?: Partial<InputLimits>;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
  /**
   * Where landmark indexes are looked up and stored (src/store: Redis in workers, memory in the
   * SDK); without one, each compression builds the indexes it needs and keeps none.
   */
  readonly landmarkIndexes?: LandmarkIndexProvider;
  /**
   * Where gist summary vectors are looked up and stored (src/store: Redis in workers, memory in
   * the SDK); `gist` cannot run without one (a `ModelConfigError`), since the answer reads them.
   */
  readonly summaryVectors?: SummaryVectorProvider;
}

/** A model a provider hands out, by the name of its method on ModelProvider. */
export type ModelRole = keyof ModelProvider;

export interface Compressor<Options extends { method: string }> {
  readonly method: Options["method"];
  /**
   * The model the method cannot start without. Workers load it before a job runs, so that a
   * missing or broken model fails the worker's setup, not the job; others load on first use.
   */
  readonly requiredModel: ModelRole;
  readonly optionsSchema: z.ZodType<Options>;
  compress(input: CompressInput, options: Options, env: CompressEnv): Promise<CompressionResult>;
  /**
   * Checks that need input and options together (e.g. a required question), run before
   * `compress` and by producers before enqueueing; throws a `CompressionInputError`.
   */
  validate?(input: CompressInput, options: Options): void;
}
