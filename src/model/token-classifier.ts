import { readFile } from "node:fs/promises";
import path from "node:path";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { ModelConfigError, ModelLoadError } from "../errors/index.js";
import { type ModelLogger, stderrLogger } from "./execution-provider.js";
import { rowValues } from "./logits.js";
import {
  type ModelFolderOptions,
  type OnnxModelFolder,
  resolveOnnxModelFolder,
} from "./model-folder.js";
import { createSession, type SessionSettings } from "./session.js";
import { encoderFeeds, lengthSortedBatches } from "./token-classifier-inputs.js";
import {
  type ClassifierVocabulary,
  readClassifierVocabulary,
} from "./token-classifier-vocabulary.js";
import { HfTokenizer } from "./tokenizer.js";
import type { TokenClassifier, Tokenizer, WordConvention } from "./types.js";

export interface OnnxTokenClassifierOptions extends ModelFolderOptions {
  readonly session?: SessionSettings;
  readonly log?: ModelLogger;
  /**
   * Most token positions (sequences x padded length) one ONNX Runtime run holds (default 8192:
   * sixteen 512-token chunks). Bounds memory; on a CPU larger runs are not faster.
   */
  readonly batchTokens?: number;
}

const DEFAULT_BATCH_TOKENS = 8192;
/** A batch row shorter than this share of the batch's width starts a new batch (≤ 10% padding). */
const MIN_FILL = 0.9;

/** RoBERTa-family position ids start after the padding index: two positions are never usable. */
const POSITION_OFFSET: Record<string, number> = { roberta: 2, "xlm-roberta": 2, camembert: 2 };

const configSchema = z.looseObject({
  model_type: z.string().default("bert"),
  max_position_embeddings: z.number().int().positive().default(512),
  pad_token_id: z.number().int().nonnegative().nullish(),
});

/**
 * A token-classification encoder (BERT, XLM-RoBERTa, … in the transformers.js layout: inputs
 * `input_ids`, `attention_mask`, optional `token_type_ids`; output `logits` [batch, seq, 2]) run
 * by ONNX Runtime. Sequences are sorted by length and cut into runs of similar lengths, so a
 * batch pads only to its own longest sequence (the reference and `@atjsh/llmlingua-2` pad every
 * chunk to 512 or to the batch's longest of unsorted chunks).
 */
export class OnnxTokenClassifier implements TokenClassifier {
  readonly maxContentTokens: number;
  private readonly usesTokenTypes: boolean;

  private constructor(
    readonly folder: OnnxModelFolder,
    readonly tokenizer: Tokenizer,
    private readonly vocabulary: ClassifierVocabulary,
    private readonly session: InferenceSession,
    window: number,
    private readonly batchTokens: number,
  ) {
    for (const name of ["input_ids", "attention_mask"]) {
      if (!session.inputNames.includes(name)) {
        throw new ModelLoadError(
          `${folder.onnxPath} has no input ${name}; inputs: ${session.inputNames}`,
        );
      }
    }
    if (!session.outputNames.includes("logits")) {
      throw new ModelLoadError(
        `${folder.onnxPath} has no output logits; outputs: ${session.outputNames}`,
      );
    }
    this.usesTokenTypes = session.inputNames.includes("token_type_ids");
    const framing = vocabulary.prefixIds.length + vocabulary.suffixIds.length;
    this.maxContentTokens = window - framing;
    if (this.maxContentTokens < 1) {
      throw new ModelLoadError(`${folder.dir}: a window of ${window} leaves no room for content`);
    }
  }

  /** Resolves the folder (local path or hub id), then loads tokenizer, vocabulary and session. */
  static async load(
    model: string,
    options: OnnxTokenClassifierOptions = {},
  ): Promise<OnnxTokenClassifier> {
    const batchTokens = options.batchTokens ?? DEFAULT_BATCH_TOKENS;
    if (!Number.isInteger(batchTokens) || batchTokens < 1) {
      throw new ModelConfigError(`batchTokens must be a positive integer; got ${batchTokens}`);
    }
    const folder = await resolveOnnxModelFolder(model, options);
    const config = configSchema.safeParse(folder.config);
    if (!config.success) {
      throw new ModelLoadError(`${folder.dir}/config.json: ${z.prettifyError(config.error)}`);
    }
    const tokenizerFile = path.join(folder.dir, "tokenizer.json");
    const vocabulary = readClassifierVocabulary(
      JSON.parse(await readFile(tokenizerFile, "utf8")),
      tokenizerFile,
      config.data.pad_token_id,
    );
    const tokenizer = await HfTokenizer.load(folder);
    const { session } = await createSession(
      folder.onnxPath,
      options.session,
      options.log ?? stderrLogger,
    );
    const window =
      config.data.max_position_embeddings - (POSITION_OFFSET[config.data.model_type] ?? 0);
    return new OnnxTokenClassifier(folder, tokenizer, vocabulary, session, window, batchTokens);
  }

  get modelId(): string {
    return this.folder.id;
  }

  get wordConvention(): WordConvention {
    return this.vocabulary.convention;
  }

  pieces(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocabulary.pieces[id] ?? "");
  }

  async keepProbabilities(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    for (const sequence of sequences) {
      if (sequence.length > this.maxContentTokens) {
        throw new RangeError(
          `a sequence of ${sequence.length} tokens exceeds the classifier's ${this.maxContentTokens}`,
        );
      }
    }
    const results = new Array<Float32Array>(sequences.length);
    const framing = this.vocabulary.prefixIds.length + this.vocabulary.suffixIds.length;
    const framed = sequences.map((sequence) => sequence.length + framing);
    for (const run of lengthSortedBatches(framed, this.batchTokens, MIN_FILL)) {
      const width = framed[run[0] ?? 0] ?? framing;
      const probabilities = await this.runBatch(
        run.map((i) => sequences[i] ?? []),
        width,
      );
      run.forEach((index, row) => {
        results[index] = probabilities[row] as Float32Array;
      });
    }
    return results;
  }

  /** One right-padded batch → p(keep) of each sequence's content tokens. */
  private async runBatch(
    batch: readonly (readonly number[])[],
    width: number,
  ): Promise<Float32Array[]> {
    const { prefixIds, suffixIds, padId } = this.vocabulary;
    const feeds = encoderFeeds(
      batch.map((sequence) => [...prefixIds, ...sequence, ...suffixIds]),
      width,
      padId,
      this.usesTokenTypes,
    );
    const logits = (await this.session.run(feeds)).logits as Tensor | undefined;
    const classes = logits?.dims[2] ?? 0;
    if (!logits || logits.dims[1] !== width || classes < 2) {
      throw new ModelLoadError(
        `${this.folder.onnxPath} returned logits of shape [${logits?.dims}]; expected [${batch.length}, ${width}, 2]`,
      );
    }
    // fp16 exports return raw half-precision words.
    const data = rowValues(logits);
    return batch.map((sequence, row) => {
      const out = new Float32Array(sequence.length);
      for (let t = 0; t < sequence.length; t++) {
        const at = (row * width + prefixIds.length + t) * classes;
        // softmax(logits)[1] over two classes.
        out[t] = 1 / (1 + Math.exp((data[at] ?? 0) - (data[at + 1] ?? 0)));
      }
      return out;
    });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
