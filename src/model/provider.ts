import { z } from "zod";
import type { ModelProvider } from "../compressors/types.js";
import { ModelConfigError } from "../errors/index.js";
import { CausalLm } from "./causal-lm.js";
import { OnnxEmbedder } from "./embedder.js";
import { type ModelLogger, stderrLogger } from "./execution-provider.js";
import { OnnxDecoder } from "./onnx-decoder.js";
import { OnnxScorer } from "./onnx-scorer.js";
import { OpenAiDecoder } from "./openai-decoder.js";
import {
  type ModelsConfig,
  type ModelsConfigInput,
  modelsConfigSchema,
  type OnnxModelConfig,
  type OnnxModelFields,
} from "./provider-config.js";
import { withScoreCache } from "./score-cache.js";
import { OnnxAutoCompressor } from "./summary-compressor.js";
import { OnnxTokenClassifier } from "./token-classifier.js";
import type {
  Decoder,
  Embedder,
  LogProbScorer,
  SummaryCompressor,
  TokenClassifier,
} from "./types.js";
import { VllmScorer } from "./vllm-scorer.js";

/** A `ModelProvider` that also supplies the decoder and releases what it loaded. */
export interface ModelRuntime extends ModelProvider {
  decoder(): Promise<Decoder>;
  embedder(): Promise<Embedder>;
  summaryCompressor(): Promise<SummaryCompressor>;
  /**
   * The model that reads gist summary vectors to answer: the AutoCompressor that wrote them.
   * Throws a `ModelConfigError` when the configured decoder is remote (it cannot take input
   * embeddings), rather than answering silently with another model.
   */
  summaryReader(): Promise<SummaryCompressor>;
  /** Releases every loaded model; later calls load them again. */
  dispose(): Promise<void>;
}

export interface ModelProviderOptions {
  /** Where execution-provider fall-backs and similar notes go (default: stderr). */
  readonly log?: ModelLogger;
}

/**
 * Builds the models of a validated config, each lazily on first use and once per provider
 * (create one provider per process: workers load their models once). An ONNX scorer and an ONNX
 * decoder over the same folder and settings share one session. Scorers and decoders handed out
 * belong to the provider: release them with `provider.dispose()`, not their own `dispose()`.
 * A load that fails is forgotten, so a later call tries again.
 */
export class LazyModelProvider implements ModelRuntime {
  private readonly models = new Map<string, Promise<CausalLm>>();
  private scorerPromise: Promise<LogProbScorer> | null = null;
  private decoderPromise: Promise<Decoder> | null = null;
  private classifierPromise: Promise<TokenClassifier> | null = null;
  private embedderPromise: Promise<Embedder> | null = null;
  private gistPromise: Promise<SummaryCompressor> | null = null;

  constructor(
    readonly config: ModelsConfig,
    private readonly options: ModelProviderOptions = {},
  ) {}

  scorer(): Promise<LogProbScorer> {
    this.scorerPromise ??= this.forgetOnFailure(this.loadScorer(), () => {
      this.scorerPromise = null;
    });
    return this.scorerPromise;
  }

  decoder(): Promise<Decoder> {
    this.decoderPromise ??= this.forgetOnFailure(this.loadDecoder(), () => {
      this.decoderPromise = null;
    });
    return this.decoderPromise;
  }

  tokenClassifier(): Promise<TokenClassifier> {
    this.classifierPromise ??= this.forgetOnFailure(this.loadClassifier(), () => {
      this.classifierPromise = null;
    });
    return this.classifierPromise;
  }

  embedder(): Promise<Embedder> {
    this.embedderPromise ??= this.forgetOnFailure(
      OnnxEmbedder.load(this.config.embedder.model, {
        ...onnxLoadOptions(this.config.embedder),
        batchTokens: this.config.embedder.batchTokens,
        log: this.options.log ?? stderrLogger,
      }),
      () => {
        this.embedderPromise = null;
      },
    );
    return this.embedderPromise;
  }

  summaryCompressor(): Promise<SummaryCompressor> {
    this.gistPromise ??= this.forgetOnFailure(
      loadAutoCompressor(this.config.gist, this.options.log ?? stderrLogger),
      () => {
        this.gistPromise = null;
      },
    );
    return this.gistPromise;
  }

  async summaryReader(): Promise<SummaryCompressor> {
    const decoder = this.config.decoder;
    if (decoder.type !== "onnx") {
      throw new ModelConfigError(
        `the configured decoder (${decoder.type} model "${decoder.model}" at ${decoder.baseUrl}) cannot take input embeddings, and gist summary vectors can only be read as input embeddings by the AutoCompressor that wrote them (${this.config.gist.model}). Answer gist compressions with the embedded onnx decoder, or use a text method for this decoder.`,
      );
    }
    return this.summaryCompressor();
  }

  async dispose(): Promise<void> {
    const gist = this.gistPromise;
    this.gistPromise = null;
    if (gist) await gist.then((loaded) => loaded.dispose()).catch(() => {});
    const models = [...this.models.values()];
    const embedder = this.embedderPromise;
    this.embedderPromise = null;
    if (embedder) await embedder.then((loaded) => loaded.dispose()).catch(() => {});
    const classifier = this.classifierPromise;
    this.models.clear();
    this.scorerPromise = null;
    this.decoderPromise = null;
    this.classifierPromise = null;
    const loaded = await Promise.allSettled([...models, ...(classifier ? [classifier] : [])]);
    await Promise.all(
      loaded.map((result) => (result.status === "fulfilled" ? result.value.dispose() : undefined)),
    );
  }

  private loadClassifier(): Promise<TokenClassifier> {
    const config = this.config.classifier;
    return OnnxTokenClassifier.load(config.model, {
      ...onnxLoadOptions(config),
      batchTokens: config.batchTokens,
      log: this.options.log ?? stderrLogger,
    });
  }

  private async loadScorer(): Promise<LogProbScorer> {
    const config = this.config.scorer;
    if (config.type === "vllm") {
      const { type: _type, cacheTokens, ...options } = config;
      return withScoreCache(await VllmScorer.create(options), cacheTokens);
    }
    const { window, overlap, batchSize, addBos, cacheStream, cacheTokens } = config;
    const scorer = new OnnxScorer(await this.causalLm(config), {
      window,
      overlap,
      batchSize,
      addBos,
      cacheStream,
    });
    return withScoreCache(scorer, cacheTokens);
  }

  private async loadDecoder(): Promise<Decoder> {
    const config = this.config.decoder;
    if (config.type === "openai") {
      const { type: _type, ...options } = config;
      return new OpenAiDecoder(options);
    }
    const { truncation, addBos } = config;
    return new OnnxDecoder(await this.causalLm(config), { truncation, addBos });
  }

  /** One CausalLm per distinct folder + runtime settings. */
  private causalLm(config: OnnxModelConfig): Promise<CausalLm> {
    const load = {
      model: config.model,
      ...onnxLoadOptions(config),
      maxLogitsBytes: config.maxLogitsBytes,
    };
    const key = JSON.stringify(load);
    let model = this.models.get(key);
    if (!model) {
      model = this.forgetOnFailure(
        CausalLm.load(config.model, { ...load, log: this.options.log ?? stderrLogger }),
        () => this.models.delete(key),
      );
      this.models.set(key, model);
    }
    return model;
  }

  private forgetOnFailure<T>(promise: Promise<T>, forget: () => void): Promise<T> {
    promise.catch(forget);
    return promise;
  }
}

/**
 * Folder and session options shared by every ONNX model entry of the config (loaders of the
 * causal LM, the classifier and the embedder take them alike).
 */
export function onnxLoadOptions(config: OnnxModelFields) {
  return {
    dtype: config.dtype,
    localOnly: config.localOnly,
    revision: config.revision,
    cacheDir: config.cacheDir,
    timeoutMs: config.downloadTimeoutMs,
    session: {
      provider: config.provider,
      intraOpThreads: config.threads,
      graphOptimization: config.graphOptimization,
      deviceId: config.deviceId,
      spinning: config.spinning,
    },
  };
}

/** Validates a models config (`{}` → the embedded defaults) and returns a lazy provider. */
export function createModelProvider(
  config: ModelsConfigInput = {},
  options: ModelProviderOptions = {},
): LazyModelProvider {
  const parsed = modelsConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new ModelConfigError(`Invalid models config: ${z.prettifyError(parsed.error)}`);
  }
  return new LazyModelProvider(parsed.data, options);
}

/** Loads the gist AutoCompressor (by default the embedded gist-5m, int8). */
async function loadAutoCompressor(
  config: ModelsConfig["gist"],
  log: ModelLogger,
): Promise<SummaryCompressor> {
  return OnnxAutoCompressor.load(config.model, {
    ...onnxLoadOptions(config),
    maxLogitsBytes: config.maxLogitsBytes,
    log,
  });
}
