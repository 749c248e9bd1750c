import { canonicalJson, sha256Hex } from "../../queues/hash.js";
import { createModelProvider, type ModelRuntime } from "./provider.js";
import type { ModelsConfigInput } from "./provider-config.js";

/** The models a process uses: each loaded on first use and kept until `dispose()`. */
export interface Models extends ModelRuntime {
  /** Identifies the configuration, so results of different models never share a cache entry. */
  readonly fingerprint: string;
}

/**
 * Assembles the models of a configuration; loads nothing yet (each model on first use).
 *
 * @param config - which scorer, decoder, classifier, embedder and AutoCompressor to use; every
 *   field has a default, and `{}` (the default) means the embedded ONNX models on the CPU.
 * @throws ModelConfigError when `config` is invalid.
 */
export function createModels(config: ModelsConfigInput = {}): Models {
  const provider = createModelProvider(config);
  return {
    scorer: () => provider.scorer(),
    decoder: () => provider.decoder(),
    tokenClassifier: () => provider.tokenClassifier(),
    embedder: () => provider.embedder(),
    summaryCompressor: () => provider.summaryCompressor(),
    summaryReader: () => provider.summaryReader(),
    dispose: () => provider.dispose(),
    fingerprint: sha256Hex(canonicalJson(provider.config)),
  };
}

let embedded: Models | undefined;

/** The embedded models, created once per process and shared by every in-process call. */
export function defaultModels(): Models {
  embedded ??= createModels();
  return embedded;
}
