import { canonicalJson, sha256Hex } from "../../queues/hash.js";
import { createModelProvider, type ModelRuntime } from "../model/provider.js";
import { type ModelsConfigInput, modelsConfigSchema } from "../model/provider-config.js";

/** Which scorer and decoder to use; `{}` means the embedded models shipped in models/. */
export { modelsConfigSchema };
export type ModelsConfig = ModelsConfigInput;

/** The models a process uses: each loaded on first use and kept until `dispose()`. */
export interface Models extends ModelRuntime {
  /** Identifies the configuration, so results of different models never share a cache entry. */
  readonly fingerprint: string;
}

/** Throws `ModelConfigError` on an invalid configuration; loads nothing yet. */
export function createModels(config: unknown = {}): Models {
  const provider = createModelProvider(config as ModelsConfigInput);
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
