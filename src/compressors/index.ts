/** The compressors' public API: the entry point, schemas, errors and helpers. */
export { assemblePrompt, PART_SEPARATOR } from "./assemble.js";
export {
  type CompressRequestInput,
  compressInputSchema,
  DEFAULT_INPUT_LIMITS,
  type LlmlinguaOptions,
  type LongLlmlinguaOptions,
  llmlinguaOptionsSchema,
  longLlmlinguaOptionsSchema,
  sharedOptionsShape,
  TARGET_TOKENIZERS,
  type TargetTokenizerName,
} from "./options.js";
export { recover } from "./recover.js";
export {
  type CompressionMethod,
  type CompressOptions,
  type CompressOptionsInput,
  compressOptionsSchema,
  METHODS,
  parseCompressInput,
  parseCompressOptions,
  requiredModel,
  runCompression,
  type ValidRequest,
  validateCompressRequest,
} from "./registry.js";
export {
  parseStructuredContext,
  renderStructuredContext,
  type StructuredSegment,
} from "./structured-prompt.js";
export type * from "./types.js";
