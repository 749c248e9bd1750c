import { existsSync } from "node:fs";
import path from "node:path";
import { type InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { ContextWindowError, ModelConfigError, ModelLoadError } from "../errors/index.js";
import { CausalLm, type CausalLmOptions } from "./causal-lm.js";
import { weightsDigest } from "./embedder.js";
import { stderrLogger } from "./execution-provider.js";
import { KvCache } from "./kv-cache.js";
import { resolveOnnxModelFolder } from "./model-folder.js";
import { OnnxDecoder } from "./onnx-decoder.js";
import { createSession } from "./session.js";
import type { GenerateOptions, Generation, SummaryCompressor } from "./types.js";

/**
 * `autocompressor` in config.json (written by training/gist/export.py): κ, the segment length the
 * model was exported for, and the compression graph.
 */
const autocompressorSchema = z.object({
  summary_tokens: z.number().int().positive(),
  segment_tokens: z.number().int().positive(),
  summarize_graph: z.string().regex(/^onnx\/[\w.-]+\.onnx$/, "must be onnx/<name>.onnx"),
});

const EMBEDS_GRAPH = "model_embeds";

/**
 * `dtype` picks the variant of all three graphs (default: the one config.json names for
 * `model`, see resolveOnnxModelFolder): the reader reads vectors the summarize graph wrote, so
 * they always come from the same weights.
 */
export type AutoCompressorOptions = CausalLmOptions;

/**
 * An AutoCompressor model folder run with ONNX Runtime: `onnx/summarize.onnx` turns a segment
 * read after the summary vectors so far into κ new ones; the reader reads summary vectors as
 * input embeddings (`onnx/model_embeds.onnx`, which fills the KV cache at positions 0..P-1) and
 * then text through `onnx/model.onnx` on top of that cache, as the reference prefills its
 * softprompt once and decodes from the cache. All three graphs of a dtype share one weights
 * file (`onnx/model.onnx_data`; for q8 the `_quantized` graphs and
 * `onnx/model_quantized.onnx_data`, training/gist/int8_graphs.py).
 */
export class OnnxAutoCompressor implements SummaryCompressor {
  private readonly decoder: OnnxDecoder;

  private constructor(
    readonly modelId: string,
    private readonly lm: CausalLm,
    private readonly summarizeSession: InferenceSession,
    private readonly embedsSession: InferenceSession,
    readonly summaryTokens: number,
    readonly segmentTokens: number,
  ) {
    // The text after the vectors continues them: no BOS in between, as in training.
    this.decoder = new OnnxDecoder(lm, { addBos: false });
  }

  /** Resolves the folder (local path or hub id), then loads the reader and both extra graphs. */
  static async load(
    model: string,
    options: AutoCompressorOptions = {},
  ): Promise<OnnxAutoCompressor> {
    const lm = await CausalLm.load(model, options);
    const raw = (lm.folder.config as Record<string, unknown>).autocompressor;
    const parsed = autocompressorSchema.safeParse(raw);
    if (!parsed.success) {
      await lm.dispose();
      throw new ModelLoadError(
        `${lm.folder.dir}/config.json has no valid "autocompressor" entry (is it an AutoCompressor exported by training/gist?): ${z.prettifyError(parsed.error)}`,
      );
    }
    const config = parsed.data;
    const log = options.log ?? stderrLogger;
    // The reader's dtype (the caller's or the folder's default) for the other two graphs too.
    const dtype = lm.folder.dtype;
    const open = async (fileName: string) => {
      const folder = await resolveOnnxModelFolder(model, { ...options, dtype, fileName });
      const { session } = await createSession(folder.onnxPath, options.session, log);
      return { file: folder.onnxPath, session };
    };
    const summarize = await open(path.posix.basename(config.summarize_graph, ".onnx"));
    const embeds = await open(EMBEDS_GRAPH);
    const graphs = [lm.folder.onnxPath, summarize.file, embeds.file];
    const weights = [...graphs, `${lm.folder.onnxPath}_data`].filter((file) => existsSync(file));
    // Name and weights, not the path: workers installed elsewhere share stored vectors.
    const name = lm.folder.source === "hub" ? lm.folder.id : path.basename(lm.folder.dir);
    return new OnnxAutoCompressor(
      `${name}@${await weightsDigest(weights)}`,
      lm,
      summarize.session,
      embeds.session,
      config.summary_tokens,
      config.segment_tokens,
    );
  }

  get tokenizer() {
    return this.lm.tokenizer;
  }

  get hiddenSize(): number {
    return this.lm.config.hiddenSize;
  }

  get contextWindow(): number {
    return this.lm.contextWindow;
  }

  async summarize(segment: readonly number[], softprompt: Float32Array): Promise<Float32Array> {
    const vectors = this.vectorCount(softprompt);
    if (segment.length === 0) throw new ModelConfigError("cannot summarize an empty segment");
    const positions = vectors + segment.length + this.summaryTokens;
    if (positions > this.contextWindow) {
      throw new ContextWindowError(
        `A segment of ${segment.length} tokens after ${vectors} summary vectors needs ${positions} positions; ${this.modelId} has ${this.contextWindow}. Use shorter segments or fewer documents.`,
        positions,
        this.contextWindow,
      );
    }
    const ids = BigInt64Array.from(segment, (id) => BigInt(id));
    const outputs = await this.summarizeSession.run({
      input_ids: new Tensor("int64", ids, [1, segment.length]),
      softprompt: new Tensor("float32", softprompt, [1, vectors, this.hiddenSize]),
    });
    const data = (outputs.summary_vectors as Tensor | undefined)?.data;
    if (!(data instanceof Float32Array) || data.length !== this.summaryTokens * this.hiddenSize) {
      throw new ModelLoadError(
        `${this.modelId}: summarize graph returned no [1, κ, hidden] summary_vectors`,
      );
    }
    return data;
  }

  async logprobs(softprompt: Float32Array, tokens: readonly number[]): Promise<Float32Array> {
    const out = new Float32Array(tokens.length).fill(Number.NaN);
    if (tokens.length < 2) return out;
    const prefix = await this.readSoftPrompt(softprompt);
    const ids = tokens.slice(0, -1);
    await this.lm.run(
      { batch: 1, length: ids.length, ids, mask: new Uint8Array(ids.length).fill(1) },
      prefix,
      async (logits, from, to) => {
        const scored = await this.lm.targetLogProbs(logits, tokens.slice(from + 1, to + 1));
        out.set(scored, from + 1);
      },
    );
    return out;
  }

  async generate(
    softprompt: Float32Array,
    prompt: string,
    options: GenerateOptions,
  ): Promise<Generation> {
    return this.decoder.generateAfter(await this.readSoftPrompt(softprompt), prompt, options);
  }

  async dispose(): Promise<void> {
    await this.summarizeSession.release();
    await this.embedsSession.release();
    await this.lm.dispose();
  }

  private vectorCount(softprompt: Float32Array): number {
    const vectors = softprompt.length / this.hiddenSize;
    if (!Number.isInteger(vectors)) {
      throw new ModelConfigError(
        `a softprompt holds whole ${this.hiddenSize}-float vectors; got ${softprompt.length} floats`,
      );
    }
    return vectors;
  }

  /**
   * The KV cache after reading the vectors at positions 0..P-1, in runs of at most
   * `maxLogitsRows` rows (the graph also returns logits, which are dropped).
   */
  private async readSoftPrompt(softprompt: Float32Array): Promise<KvCache> {
    const vectors = this.vectorCount(softprompt);
    if (vectors >= this.contextWindow) {
      throw new ContextWindowError(
        `${vectors} summary vectors fill the ${this.contextWindow}-position window of ${this.modelId} and leave no room to read: use longer segments (a lower rate) or fewer documents.`,
        vectors,
        this.contextWindow,
      );
    }
    const hidden = this.hiddenSize;
    let cache = this.lm.emptyCache(1);
    for (let from = 0; from < vectors; from += this.lm.maxLogitsRows) {
      const to = Math.min(vectors, from + this.lm.maxLogitsRows);
      const length = to - from;
      const positions = BigInt64Array.from({ length }, (_, i) => BigInt(from + i));
      const outputs = await this.embedsSession.run({
        inputs_embeds: new Tensor("float32", softprompt.slice(from * hidden, to * hidden), [
          1,
          length,
          hidden,
        ]),
        attention_mask: new Tensor("int64", new BigInt64Array(to).fill(1n), [1, to]),
        position_ids: new Tensor("int64", positions, [1, length]),
        ...cache.feeds(),
      });
      cache = KvCache.fromPresent(cache, outputs, new Uint8Array(length).fill(1), length);
    }
    return cache;
  }
}
