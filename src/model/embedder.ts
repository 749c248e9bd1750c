import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { AutoTokenizer } from "@huggingface/transformers";
import { type InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { ModelConfigError, ModelLoadError } from "../errors/index.js";
import { type ModelLogger, stderrLogger } from "./execution-provider.js";
import {
  type ModelFolderOptions,
  type OnnxModelFolder,
  resolveOnnxModelFolder,
} from "./model-folder.js";
import { createSession, type SessionSettings } from "./session.js";
import { HfTokenizer } from "./tokenizer.js";
import type { Embedder, Tokenizer } from "./types.js";

export interface OnnxEmbedderOptions extends ModelFolderOptions {
  readonly session?: SessionSettings;
  readonly log?: ModelLogger;
  /** Most token positions (sequences × padded length) one ONNX Runtime run holds. */
  readonly batchTokens?: number;
}

const DEFAULT_BATCH_TOKENS = 8192;

/**
 * config.json of an embedder folder. ctxpress' own (`model_type: "ctxpress-embedder"`, trained by
 * training/landmark/) outputs pooled unit vectors named `embeddings` and takes bare token ids.
 * A transformers.js feature-extraction export (BERT, MiniLM, BGE, …) outputs `last_hidden_state`,
 * which is mean-pooled over real tokens here, and wants its tokenizer's special tokens around
 * each sequence.
 */
const configSchema = z.looseObject({
  model_type: z.string().default("bert"),
  hidden_size: z.number().int().positive().optional(),
  embedding_dim: z.number().int().positive().optional(),
  max_tokens: z.number().int().positive().optional(),
  max_position_embeddings: z.number().int().positive().default(512),
  pad_token_id: z.number().int().nonnegative().nullish(),
  add_special_tokens: z.boolean().optional(),
});

/** The special tokens a tokenizer puts around one sequence (e.g. [CLS] … [SEP]). */
interface Framing {
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
}

const NO_FRAMING: Framing = { prefix: [], suffix: [] };

async function framingOf(folder: OnnxModelFolder): Promise<Framing> {
  const hf = await AutoTokenizer.from_pretrained(path.resolve(folder.dir), {
    local_files_only: true,
  });
  const bare = hf.encode("a", { add_special_tokens: false });
  const framed = hf.encode("a", { add_special_tokens: true });
  const at = framed.findIndex((_, i) => bare.every((id, j) => framed[i + j] === id));
  if (at === -1) return NO_FRAMING;
  return { prefix: framed.slice(0, at), suffix: framed.slice(at + bare.length) };
}

/** A digest of the ONNX weights: the model id changes whenever the weights do. */
export async function weightsDigest(files: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest("hex").slice(0, 16);
}

/** Unit-normalises `vector` in place (a zero vector stays zero). */
function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}

/**
 * A bi-encoder run by ONNX Runtime (inputs `input_ids`, `attention_mask`, optional
 * `token_type_ids`). Sequences are sorted by length and batched so that a run pads only to its
 * own longest sequence. Inputs longer than `maxTokens` are cut to it.
 */
export class OnnxEmbedder implements Embedder {
  private readonly usesTokenTypes: boolean;
  private readonly output: "embeddings" | "sentence_embedding" | "last_hidden_state";

  private constructor(
    readonly modelId: string,
    readonly folder: OnnxModelFolder,
    readonly tokenizer: Tokenizer,
    private readonly session: InferenceSession,
    private readonly framing: Framing,
    private readonly padId: number,
    readonly dimensions: number,
    readonly maxTokens: number,
    private readonly batchTokens: number,
  ) {
    for (const name of ["input_ids", "attention_mask"]) {
      if (!session.inputNames.includes(name)) {
        throw new ModelLoadError(
          `${folder.onnxPath} has no input ${name}; inputs: ${session.inputNames}`,
        );
      }
    }
    const output = (["embeddings", "sentence_embedding", "last_hidden_state"] as const).find(
      (name) => session.outputNames.includes(name),
    );
    if (output === undefined) {
      throw new ModelLoadError(
        `${folder.onnxPath} has none of the outputs embeddings, sentence_embedding, last_hidden_state; outputs: ${session.outputNames}`,
      );
    }
    this.output = output;
    this.usesTokenTypes = session.inputNames.includes("token_type_ids");
  }

  /** Resolves the folder (local path or hub id), then loads tokenizer and session. */
  static async load(model: string, options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
    const batchTokens = options.batchTokens ?? DEFAULT_BATCH_TOKENS;
    if (!Number.isInteger(batchTokens) || batchTokens < 1) {
      throw new ModelConfigError(`batchTokens must be a positive integer; got ${batchTokens}`);
    }
    const folder = await resolveOnnxModelFolder(model, options);
    const parsed = configSchema.safeParse(folder.config);
    if (!parsed.success) {
      throw new ModelLoadError(`${folder.dir}/config.json: ${z.prettifyError(parsed.error)}`);
    }
    const config = parsed.data;
    const dimensions = config.embedding_dim ?? config.hidden_size;
    if (dimensions === undefined) {
      throw new ModelLoadError(
        `${folder.dir}/config.json gives neither embedding_dim nor hidden_size`,
      );
    }
    const framing = config.add_special_tokens === false ? NO_FRAMING : await framingOf(folder);
    const maxTokens =
      (config.max_tokens ?? config.max_position_embeddings) -
      framing.prefix.length -
      framing.suffix.length;
    const weights = [folder.onnxPath, `${folder.onnxPath}_data`].filter((file) => existsSync(file));
    const [tokenizer, { session }, digest] = await Promise.all([
      HfTokenizer.load(folder),
      createSession(folder.onnxPath, options.session, options.log ?? stderrLogger),
      weightsDigest(weights),
    ]);
    // Name and weights, not the path: workers installed in different places share indexes.
    const name = folder.source === "hub" ? folder.id : path.basename(folder.dir);
    return new OnnxEmbedder(
      `${name}@${digest}`,
      folder,
      tokenizer,
      session,
      framing,
      config.pad_token_id ?? 0,
      dimensions,
      Math.max(1, maxTokens),
      batchTokens,
    );
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return this.embedTokens(texts.map((text) => this.tokenizer.encode(text)));
  }

  async embedTokens(items: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const sequences = items.map((ids) => [
      ...this.framing.prefix,
      ...ids.slice(0, this.maxTokens),
      ...this.framing.suffix,
    ]);
    const results = new Array<Float32Array>(sequences.length);
    const order = sequences.map((_, i) => i);
    order.sort((a, b) => (sequences[b]?.length ?? 0) - (sequences[a]?.length ?? 0));
    for (let from = 0; from < order.length; ) {
      // Longest first: the first sequence of a run sets its padded width.
      const width = Math.max(1, sequences[order[from] ?? 0]?.length ?? 0);
      const count = Math.max(
        1,
        Math.min(order.length - from, Math.floor(this.batchTokens / width)),
      );
      const run = order.slice(from, from + count);
      const vectors = await this.runBatch(
        run.map((i) => sequences[i] ?? []),
        width,
      );
      run.forEach((index, row) => {
        results[index] = vectors[row] as Float32Array;
      });
      from += count;
    }
    return results;
  }

  private async runBatch(
    batch: readonly (readonly number[])[],
    width: number,
  ): Promise<Float32Array[]> {
    const ids = new BigInt64Array(batch.length * width).fill(BigInt(this.padId));
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach((sequence, row) => {
      sequence.forEach((id, t) => {
        ids[row * width + t] = BigInt(id);
        mask[row * width + t] = 1n;
      });
    });
    const dims = [batch.length, width];
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor("int64", ids, dims),
      attention_mask: new Tensor("int64", mask, dims),
    };
    if (this.usesTokenTypes) {
      feeds.token_type_ids = new Tensor("int64", new BigInt64Array(ids.length), dims);
    }
    const output = (await this.session.run(feeds))[this.output] as Tensor | undefined;
    const data = output?.data;
    if (!(data instanceof Float32Array)) {
      throw new ModelLoadError(`${this.folder.onnxPath} returned no float32 ${this.output}`);
    }
    const d = this.dimensions;
    return batch.map((sequence, row) => {
      if (this.output !== "last_hidden_state") {
        return normalize(data.slice(row * d, (row + 1) * d));
      }
      // Mean over the sequence's real tokens (its padding comes after them).
      const pooled = new Float32Array(d);
      for (let t = 0; t < sequence.length; t++) {
        const offset = (row * width + t) * d;
        for (let k = 0; k < d; k++) pooled[k] = (pooled[k] ?? 0) + (data[offset + k] ?? 0);
      }
      return normalize(pooled);
    });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
