/**
 * The narrow interfaces between compressors and models. Compressors only ever see these, so an
 * ONNX session on the CPU, the same model on a GPU, or a remote vLLM server plug in unchanged.
 */

/** `auto` tries cuda, then webgpu, then cpu, logging each fall-back. */
export type ExecutionProvider = "cpu" | "cuda" | "webgpu" | "auto";

/** A half-open [start, end) range of UTF-16 code units in the original text. */
export type Span = readonly [start: number, end: number];

export interface TokenizedText {
  readonly ids: number[];
  /**
   * One span per token. Spans are contiguous, ordered, and start and end on code point
   * boundaries; together they cover the whole text. A token holding only part of a multi-byte
   * character gets an empty span, the character belongs to the token holding its first byte.
   * Keeping or dropping tokens by their spans therefore never cuts a character in half.
   */
  readonly spans: Span[];
}

export interface Tokenizer {
  /** Model folder path or hub id the tokenizer came from. */
  readonly name: string;
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  /** Token ids without special tokens. */
  encode(text: string): number[];
  encodeWithSpans(text: string): TokenizedText;
  decode(ids: readonly number[]): string;
}

/** One sequence to score, optionally conditioned on tokens that precede it. */
export interface ScoreItem {
  readonly tokens: readonly number[];
  /** Tokens the sequence is conditioned on; they get no scores of their own. */
  readonly condition?: readonly number[];
}

/**
 * Per-token log-probabilities (natural log) from a causal language model.
 * Entry i of a result is ln p(tokens[i] | condition, tokens[<i]). When neither a condition nor a
 * BOS token precedes token 0, its entry is NaN and compressors keep that token.
 */
export interface LogProbScorer {
  readonly modelId: string;
  readonly tokenizer: Tokenizer;
  /**
   * Largest number of tokens the model attends to at once; longer inputs slide a window or stream
   * through a trimmed KV cache (backend's choice).
   */
  readonly contextWindow: number;
  logprobs(item: ScoreItem): Promise<Float32Array>;
  /** Independent sequences, batched where the backend can. Results are in input order. */
  logprobsBatch(items: readonly ScoreItem[]): Promise<Float32Array[]>;
  /** A conditional stream for iterative compression (LLMLingua's p(s_j | compressed s_<j)). */
  stream(condition?: readonly number[]): ScoringStream;
  dispose(): Promise<void>;
}

/**
 * Scores consecutive segments, each conditioned on the kept part of everything before it.
 * Call `score(segment)` then `commit(keep)` for that segment before scoring the next one.
 */
export interface ScoringStream {
  score(segment: readonly number[]): Promise<Float32Array>;
  /** Keeps the flagged tokens of the last scored segment as context for later segments. */
  commit(keep: readonly boolean[]): void;
}

/**
 * Maps texts to unit vectors whose dot product is their relevance (a bi-encoder): landmark
 * indexes hold one vector per block, and a question is embedded by the same model.
 */
export interface Embedder {
  /** Identifies the weights, not only the name: indexes built by other weights are not reused. */
  readonly modelId: string;
  readonly tokenizer: Tokenizer;
  readonly dimensions: number;
  /** Longest input in tokens; longer inputs are cut to it. */
  readonly maxTokens: number;
  /** One L2-normalised vector per text, in input order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** The same for texts already tokenized by `tokenizer` (blocks cut from a tokenized document). */
  embedTokens(items: readonly (readonly number[])[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

export interface GenerateOptions {
  readonly maxNewTokens: number;
  /** Generation stops at the first of these strings (not included in the output). */
  readonly stop?: readonly string[];
  /** 0 means greedy. */
  readonly temperature?: number;
  readonly signal?: AbortSignal;
}

export interface Generation {
  readonly text: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly finishReason: "stop" | "length";
  readonly latencyMs: number;
}

/** Produces the final answer from a (compressed) prompt. */
export interface Decoder {
  readonly modelId: string;
  /** Prompt window in the decoder's own tokens, when known. */
  readonly contextWindow: number | null;
  generate(prompt: string | readonly ChatMessage[], options: GenerateOptions): Promise<Generation>;
  dispose(): Promise<void>;
}

/** How a sub-word tokenizer marks words: BERT's "##" continuations or SentencePiece's "▁" starts. */
export type WordConvention = "wordpiece" | "sentencepiece";

/**
 * Per-token keep probabilities from a token-classification encoder (LLMLingua-2): one pass of a
 * bidirectional model, p(keep) = softmax(logits)[…, 1]. Sequences are content tokens only; the
 * classifier adds its own special tokens ([CLS]/[SEP] or <s>/</s>) around each.
 */
export interface TokenClassifier {
  readonly modelId: string;
  readonly tokenizer: Tokenizer;
  readonly wordConvention: WordConvention;
  /** Most content tokens one sequence may hold (the window less the special tokens). */
  readonly maxContentTokens: number;
  /** The vocabulary string of each id ("##ing", "▁the"), which word reassembly reads. */
  pieces(ids: readonly number[]): string[];
  /** p(keep) per token of each sequence, in input order; batched inside without padding waste. */
  keepProbabilities(sequences: readonly (readonly number[])[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/**
 * An AutoCompressor (Chevalier et al., arXiv:2305.14788): a causal LM that reads a segment after
 * the summary vectors written so far and writes κ new ones (final hidden states at κ learned
 * summary tokens), and reads summary vectors back as a soft prompt before text. A soft prompt is
 * P vectors of `hiddenSize` floats, row-major; only the weights that wrote vectors can read them.
 */
export interface SummaryCompressor {
  /** Identifies the weights (name@digest): vectors written by other weights are never reused. */
  readonly modelId: string;
  readonly tokenizer: Tokenizer;
  /** κ: summary vectors written per segment. */
  readonly summaryTokens: number;
  readonly hiddenSize: number;
  /** The segment length the model was trained and exported for (the default cut). */
  readonly segmentTokens: number;
  /** Positions one read spans at most: soft prompt + segment + κ, or soft prompt + text. */
  readonly contextWindow: number;
  /** κ × hiddenSize floats: the vectors of `segment` read after `softprompt`. */
  summarize(segment: readonly number[], softprompt: Float32Array): Promise<Float32Array>;
  /**
   * ln p(tokens[i] | softprompt, tokens[<i]). Entry 0 is NaN: the soft prompt's last position
   * was never trained to predict the next token.
   */
  logprobs(softprompt: Float32Array, tokens: readonly number[]): Promise<Float32Array>;
  /** Continues `prompt` read right after the soft prompt (no BOS in between, as in training). */
  generate(softprompt: Float32Array, prompt: string, options: GenerateOptions): Promise<Generation>;
  dispose(): Promise<void>;
}
