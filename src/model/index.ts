/** The model layer's public API: what compressors, workers, the SDK and the CLI construct. */
export { CausalLm, type CausalLmOptions } from "./causal-lm.js";
export { DEFAULT_DECODER_MODEL, DEFAULT_SCORER_MODEL, PACKAGE_ROOT } from "./defaults.js";
export type { ModelLogger } from "./execution-provider.js";
export { MODEL_DTYPES, type ModelDtype } from "./model-folder.js";
export { OnnxDecoder, type OnnxDecoderOptions } from "./onnx-decoder.js";
export { OnnxScorer, type OnnxScorerOptions } from "./onnx-scorer.js";
export { OpenAiDecoder, type OpenAiDecoderOptions } from "./openai-decoder.js";
export {
  createModelProvider,
  LazyModelProvider,
  type ModelProviderOptions,
  type ModelRuntime,
} from "./provider.js";
export {
  type ModelsConfig,
  type ModelsConfigInput,
  modelsConfigSchema,
} from "./provider-config.js";
export { HfTokenizer } from "./tokenizer.js";
export type * from "./types.js";
export { VllmScorer, type VllmScorerOptions } from "./vllm-scorer.js";
