/**
 * `ctxpress/langchain`: ctxpress as a LangChain.js document compressor. Needs the optional peer
 * dependency `@langchain/core` (1.x).
 */
export {
  type CompressedDocumentMetadata,
  CtxpressDocumentCompressor,
  type CtxpressDocumentCompressorOptions,
} from "./document-compressor.js";
