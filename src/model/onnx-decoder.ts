import type { Tensor } from "onnxruntime-node";
import { ContextWindowError, ModelConfigError } from "../errors/index.js";
import { resolveBos } from "./bos.js";
import type { CausalLm } from "./causal-lm.js";
import { renderChat } from "./chat-prompt.js";
import type { KvCache } from "./kv-cache.js";
import { argmax, lastLogitsRow, rowValues, sample } from "./logits.js";
import { findStop } from "./stop-strings.js";
import type { ChatMessage, Decoder, GenerateOptions, Generation } from "./types.js";

export interface OnnxDecoderOptions {
  /**
   * A prompt that leaves no room in the context window: "error" (default) throws a
   * `ContextWindowError`; "left" drops its oldest tokens so that `maxNewTokens` fit (the BOS
   * token, if any, stays first).
   */
  readonly truncation?: "error" | "left";
  /** Prepend BOS to the prompt (default: when the tokenizer or config has one). */
  readonly addBos?: boolean;
  /** Uniform random numbers for temperature sampling (default Math.random). */
  readonly random?: () => number;
}

/**
 * The embedded decoder: greedy (or temperature) generation with a KV cache over the ONNX causal
 * LM. Stops at an end-of-sequence token, a stop string (cut from the output), `maxNewTokens`, or
 * a full context window (finishReason "length").
 */
export class OnnxDecoder implements Decoder {
  private readonly bos: number | null;
  private readonly eos: ReadonlySet<number>;

  constructor(
    readonly lm: CausalLm,
    private readonly options: OnnxDecoderOptions = {},
  ) {
    const bos = lm.tokenizer.bosTokenId ?? lm.config.bosTokenId;
    this.bos = resolveBos(options.addBos, bos, lm.folder.id);
    const eos = [...lm.config.eosTokenIds];
    if (lm.tokenizer.eosTokenId !== null) eos.push(lm.tokenizer.eosTokenId);
    this.eos = new Set(eos);
  }

  get modelId(): string {
    return this.lm.folder.id;
  }

  get contextWindow(): number {
    return this.lm.contextWindow;
  }

  async generate(
    prompt: string | readonly ChatMessage[],
    options: GenerateOptions,
  ): Promise<Generation> {
    const text = typeof prompt === "string" ? prompt : renderChat(prompt, this.lm.tokenizer);
    return this.continueCache(this.lm.emptyCache(1), text, this.bos, options);
  }

  /**
   * Generates after `prefix`, a single-row cache that already holds context (e.g. AutoCompressor
   * summary vectors read as input embeddings): the prompt continues it at the next position,
   * without BOS, and the prefix counts against the window and in `promptTokens`.
   */
  generateAfter(prefix: KvCache, prompt: string, options: GenerateOptions): Promise<Generation> {
    return this.continueCache(prefix, prompt, null, options);
  }

  private async continueCache(
    prefix: KvCache,
    text: string,
    bos: number | null,
    options: GenerateOptions,
  ): Promise<Generation> {
    const started = performance.now();
    if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1) {
      throw new ModelConfigError(
        `maxNewTokens must be a positive integer; got ${options.maxNewTokens}`,
      );
    }
    const window = this.contextWindow - prefix.length;
    const ids = this.promptIds(text, options.maxNewTokens, bos, window);
    const tokenizer = this.lm.tokenizer;
    const stops = options.stop ?? [];
    const temperature = options.temperature ?? 0;
    const random = this.options.random ?? Math.random;

    let last: Tensor | null = null;
    let cache = await this.lm.run(
      { batch: 1, length: ids.length, ids, mask: new Uint8Array(ids.length).fill(1) },
      prefix,
      async (logits, _from, to) => {
        if (to === ids.length) last = lastLogitsRow(logits);
      },
    );
    const generated: number[] = [];
    let output = "";
    let finishReason: Generation["finishReason"] = "length";
    while (last !== null && generated.length < options.maxNewTokens) {
      options.signal?.throwIfAborted();
      const values = rowValues(last);
      const next = temperature > 0 ? sample(values, temperature, random) : argmax(values);
      if (this.eos.has(next)) {
        finishReason = "stop";
        break;
      }
      generated.push(next);
      const previousLength = output.length;
      output = tokenizer.decode(generated);
      const stopAt = findStop(output, stops, previousLength);
      if (stopAt >= 0) {
        output = output.slice(0, stopAt);
        finishReason = "stop";
        break;
      }
      if (ids.length + generated.length >= window) break;
      const step = await this.lm.step(
        { batch: 1, length: 1, ids: [next], mask: Uint8Array.of(1) },
        cache,
      );
      cache = step.cache;
      last = step.logits;
    }
    return {
      text: output,
      promptTokens: prefix.length + ids.length,
      completionTokens: generated.length,
      finishReason,
      latencyMs: performance.now() - started,
    };
  }

  async dispose(): Promise<void> {
    await this.lm.dispose();
  }

  /** The prompt's ids (after BOS, if any) fitting `window` positions with room to generate. */
  private promptIds(
    text: string,
    maxNewTokens: number,
    firstId: number | null,
    window: number,
  ): number[] {
    const bos = firstId === null ? [] : [firstId];
    const body = this.lm.tokenizer.encode(text);
    if (bos.length + body.length < window) return [...bos, ...body];
    if (this.options.truncation !== "left") {
      throw new ContextWindowError(
        `The prompt has ${bos.length + body.length} tokens; the decoder ${this.modelId} has a ` +
          `${window}-token context window and needs room to generate. Compress the context ` +
          `further or allow truncation ("left").`,
        bos.length + body.length,
        window,
      );
    }
    const keep = window - bos.length - Math.min(maxNewTokens, window - bos.length - 1);
    return [...bos, ...body.slice(body.length - keep)];
  }
}
