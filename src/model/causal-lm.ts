import { type InferenceSession, Tensor } from "onnxruntime-node";
import { ModelLoadError } from "../errors/index.js";
import type { ConcreteProvider, ModelLogger } from "./execution-provider.js";
import { KvCache, type KvLayout, kvLayoutFromSession } from "./kv-cache.js";
import { type CausalLmConfig, parseCausalLmConfig } from "./model-config.js";
import {
  type ModelFolderOptions,
  type OnnxModelFolder,
  resolveOnnxModelFolder,
} from "./model-folder.js";
import { createSession, type SessionSettings } from "./session.js";
import { targetLogProbModel } from "./target-logprob-graph.js";
import { HfTokenizer } from "./tokenizer.js";

export interface CausalLmOptions extends ModelFolderOptions {
  readonly session?: SessionSettings;
  readonly log?: ModelLogger;
  /**
   * Upper bound on the logits one ONNX Runtime run may return (rows x vocab x 4 bytes). Longer
   * inputs run in several steps through the KV cache. Default 8 MiB: 256 rows at an 8K
   * vocabulary, ~40 for GPT-2's 50K, 16 for Llama-3's 128K. Smaller runs are faster, not just
   * leaner: scoring 10K tokens of the tiny model with runs of at most 64, 128, 256 and 1024
   * rows took 0.62, 0.39, 0.35 and 0.45 CPU-seconds (best of 5, interleaved, 2-core box),
   * 0.82 s with 1024-row runs batching 4 windows; big logits blocks fall out of the caches.
   */
  readonly maxLogitsBytes?: number;
}

/** Token ids of a batch, row-major [batch, length]; mask 0 marks left padding. */
export interface TokenBlock {
  readonly batch: number;
  readonly length: number;
  readonly ids: ArrayLike<number>;
  readonly mask: Uint8Array;
}

const DEFAULT_MAX_LOGITS_BYTES = 8 * 1024 * 1024;

/**
 * A causal LM exported in the transformers.js layout, run with ONNX Runtime: inputs
 * `input_ids`, `attention_mask`, optional `position_ids` and the past KV cache; outputs
 * `logits` and the present KV cache. Shared by the scorer and the decoder.
 */
export class CausalLm {
  readonly usesPositionIds: boolean;
  readonly kv: KvLayout;
  /** Largest number of logits rows (batch x positions) one run returns. */
  readonly maxLogitsRows: number;

  private constructor(
    readonly folder: OnnxModelFolder,
    readonly config: CausalLmConfig,
    readonly tokenizer: HfTokenizer,
    readonly provider: ConcreteProvider,
    private readonly session: InferenceSession,
    private readonly logProbSession: InferenceSession,
    maxLogitsBytes: number,
  ) {
    const path = folder.onnxPath;
    for (const name of ["input_ids", "attention_mask"]) {
      if (!session.inputNames.includes(name)) {
        throw new ModelLoadError(`${path} has no input ${name}; inputs: ${session.inputNames}`);
      }
    }
    if (!session.outputNames.includes("logits")) {
      throw new ModelLoadError(`${path} has no output logits; outputs: ${session.outputNames}`);
    }
    this.usesPositionIds = session.inputNames.includes("position_ids");
    this.kv = kvLayoutFromSession(session, config, path);
    const bytesPerLogit = this.kv.type === "float16" ? 2 : 4;
    this.maxLogitsRows = Math.max(
      1,
      Math.floor(maxLogitsBytes / (config.vocabSize * bytesPerLogit)),
    );
  }

  /** Resolves the folder (local path or hub id), then loads tokenizer and model sessions. */
  static async load(model: string, options: CausalLmOptions = {}): Promise<CausalLm> {
    const folder = await resolveOnnxModelFolder(model, options);
    const config = parseCausalLmConfig(folder.config, `${folder.dir}/config.json`);
    const tokenizer = await HfTokenizer.load(folder);
    const { session, provider } = await createSession(
      folder.onnxPath,
      options.session,
      options.log,
    );
    const logitsType = session.outputMetadata.find((m) => m.name === "logits");
    const logProbs = await createSession(
      targetLogProbModel(
        logitsType?.isTensor && logitsType.type === "float16" ? "float16" : "float32",
      ),
      { ...options.session, provider: "cpu" },
      options.log,
    );
    return new CausalLm(
      folder,
      config,
      tokenizer,
      provider,
      session,
      logProbs.session,
      options.maxLogitsBytes ?? DEFAULT_MAX_LOGITS_BYTES,
    );
  }

  get contextWindow(): number {
    return this.config.maxPositions;
  }

  emptyCache(batch: number): KvCache {
    return KvCache.empty(this.kv, batch);
  }

  /** One forward pass of a block on top of a cache. */
  async step(block: TokenBlock, past: KvCache): Promise<{ logits: Tensor; cache: KvCache }> {
    const { batch, length } = block;
    const total = past.length + length;
    const ids = new BigInt64Array(batch * length);
    const attention = new BigInt64Array(batch * total);
    const positions = new BigInt64Array(batch * length);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < past.length; t++) {
        attention[b * total + t] = BigInt(past.mask[b * past.length + t] ?? 0);
      }
      let position = past.positions[b] ?? 0;
      for (let t = 0; t < length; t++) {
        const i = b * length + t;
        const real = block.mask[i] ?? 0;
        ids[i] = BigInt(block.ids[i] ?? 0);
        attention[b * total + past.length + t] = BigInt(real);
        positions[i] = BigInt(real ? position : 0);
        position += real;
      }
    }
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor("int64", ids, [batch, length]),
      attention_mask: new Tensor("int64", attention, [batch, total]),
      ...past.feeds(),
    };
    if (this.usesPositionIds) feeds.position_ids = new Tensor("int64", positions, [batch, length]);
    const outputs = await this.session.run(feeds);
    const logits = outputs.logits as Tensor | undefined;
    if (!logits) throw new ModelLoadError(`${this.folder.onnxPath} returned no logits`);
    return { logits, cache: KvCache.fromPresent(past, outputs, block.mask, length) };
  }

  /**
   * Runs a block in slices of at most `maxLogitsRows` logits rows, each slice continuing the
   * cache of the previous one, so no run returns more logits than the budget allows.
   * `onLogits(logits, from, to)` sees the logits of block positions [from, to).
   */
  async run(
    block: TokenBlock,
    past: KvCache,
    onLogits: (logits: Tensor, from: number, to: number) => Promise<void>,
  ): Promise<KvCache> {
    const slice = Math.max(1, Math.floor(this.maxLogitsRows / block.batch));
    let cache = past;
    for (let from = 0; from < block.length; from += slice) {
      const to = Math.min(block.length, from + slice);
      const { logits, cache: next } = await this.step(sliceBlock(block, from, to), cache);
      cache = next;
      await onLogits(logits, from, to);
    }
    return cache;
  }

  /**
   * ln p(target) for every logits row, computed inside ONNX Runtime. `targets` is
   * [batch * rows]; rows whose target is negative are computed against token 0 and ignored.
   */
  async targetLogProbs(logits: Tensor, targets: ArrayLike<number>): Promise<Float32Array> {
    const [batch = 1, rows = 1] = logits.dims;
    const indices = new BigInt64Array(batch * rows);
    for (let i = 0; i < indices.length; i++) indices[i] = BigInt(Math.max(0, targets[i] ?? 0));
    const out = await this.logProbSession.run({
      logits,
      targets: new Tensor("int64", indices, [batch, rows, 1]),
    });
    return (out.logprobs as Tensor).data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
    await this.logProbSession.release();
  }
}

/** Columns [from, to) of every row of a block. */
export function sliceBlock(block: TokenBlock, from: number, to: number): TokenBlock {
  if (from === 0 && to === block.length) return block;
  const length = to - from;
  const ids = new Int32Array(block.batch * length);
  const mask = new Uint8Array(block.batch * length);
  for (let b = 0; b < block.batch; b++) {
    for (let t = 0; t < length; t++) {
      ids[b * length + t] = block.ids[b * block.length + from + t] ?? 0;
      mask[b * length + t] = block.mask[b * block.length + from + t] ?? 0;
    }
  }
  return { batch: block.batch, length, ids, mask };
}
