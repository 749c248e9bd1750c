import type { ModelProvider } from "../../src/compressors/types.js";
import type { LogProbScorer, ScoreItem, ScoringStream } from "../../src/model/types.js";
import { TestTokenizer } from "./test-tokenizer.js";

/**
 * A deterministic stand-in for a causal LM, for tests of the compression algorithms (not of any
 * model): a mixture of a copy model over everything before the token (condition and prefix) and
 * a hashed bigram:
 *   p(t | history) = λ · count(t in history) / |history| + (1 − λ) · 10^(−1 − 3·h(prev, t)).
 * Tokens seen earlier become likely, so a context that repeats the question's words makes the
 * question likely (LongLLMLingua's ranking signal), and conditioning on the compressed prefix
 * changes scores. Not a normalised distribution; every log-prob is finite and ≤ 0. The first
 * token with nothing before it gets NaN, as the `LogProbScorer` contract says.
 */

const COPY_WEIGHT = 0.5;

function bigramLogProb(previous: number, token: number): number {
  let hash = Math.imul(previous ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(token, 0xc2b2ae35);
  hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
  return Math.log(10) * (-1 - (3 * hash) / 2 ** 32);
}

class History {
  readonly #counts = new Map<number, number>();
  #length = 0;
  #last: number | null = null;

  constructor(tokens: readonly number[] = []) {
    for (const token of tokens) this.push(token);
  }

  push(token: number): void {
    this.#counts.set(token, (this.#counts.get(token) ?? 0) + 1);
    this.#length++;
    this.#last = token;
  }

  logprob(token: number): number {
    if (this.#last === null) return Number.NaN;
    const copy = (this.#counts.get(token) ?? 0) / this.#length;
    const bigram = Math.exp(bigramLogProb(this.#last, token));
    return Math.log(COPY_WEIGHT * copy + (1 - COPY_WEIGHT) * bigram);
  }

  clone(): History {
    const copy = new History();
    for (const [token, count] of this.#counts) copy.#counts.set(token, count);
    copy.#length = this.#length;
    copy.#last = this.#last;
    return copy;
  }
}

function scoreAfter(history: History, tokens: readonly number[]): Float32Array {
  const scratch = history.clone();
  const logprobs = new Float32Array(tokens.length);
  tokens.forEach((token, index) => {
    logprobs[index] = scratch.logprob(token);
    scratch.push(token);
  });
  return logprobs;
}

export interface TestScorerOptions {
  readonly tokenizer?: TestTokenizer;
  /** Overrides the mixture: a fixed log-prob per token (not for a first token: NaN). */
  readonly logprobOf?: (token: number) => number;
}

export class TestScorer implements LogProbScorer {
  readonly modelId: string;
  readonly tokenizer: TestTokenizer;
  readonly #logprobOf: ((token: number) => number) | undefined;
  readonly contextWindow = 1 << 20;
  /** How many segments streams scored, and how many items batches held (for assertions). */
  streamSegments = 0;
  batchedItems = 0;

  constructor({ tokenizer = new TestTokenizer(), logprobOf }: TestScorerOptions = {}) {
    this.tokenizer = tokenizer;
    this.#logprobOf = logprobOf;
    this.modelId = logprobOf === undefined ? "test-copy-bigram" : "test-fixed";
  }

  #score(history: History, tokens: readonly number[]): Float32Array {
    const logprobs = scoreAfter(history, tokens);
    const fixed = this.#logprobOf;
    if (fixed !== undefined) {
      logprobs.forEach((value, index) => {
        if (!Number.isNaN(value)) logprobs[index] = fixed(tokens[index] ?? 0);
      });
    }
    return logprobs;
  }

  async logprobs(item: ScoreItem): Promise<Float32Array> {
    return this.#score(new History(item.condition ?? []), item.tokens);
  }

  async logprobsBatch(items: readonly ScoreItem[]): Promise<Float32Array[]> {
    this.batchedItems += items.length;
    return Promise.all(items.map((item) => this.logprobs(item)));
  }

  stream(condition: readonly number[] = []): ScoringStream {
    const history = new History(condition);
    let pending: readonly number[] | null = null;
    return {
      score: async (segment) => {
        if (pending !== null) throw new Error("score() called twice without commit()");
        pending = segment;
        this.streamSegments++;
        return this.#score(history, segment);
      },
      commit: (keep) => {
        if (pending === null) throw new Error("commit() without score()");
        if (keep.length !== pending.length)
          throw new Error("commit() flags do not match the segment");
        pending.forEach((token, index) => {
          if (keep[index]) history.push(token);
        });
        pending = null;
      },
    };
  }

  async dispose(): Promise<void> {}
}

export function testModels(scorer: LogProbScorer = new TestScorer()): ModelProvider {
  return { scorer: async () => scorer };
}
