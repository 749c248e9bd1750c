import { compressionCacheKey, requestKey } from "../../queues/job-ids.js";
import {
  type CompressJobResult,
  compressJobDataSchema,
  type DocumentRefData,
} from "../../queues/schemas.js";
import type { CompressOptionsInput } from "../compressors/index.js";
import type { CompressionResult, Progress } from "../compressors/types.js";
import { CompressionInputError } from "../errors/index.js";
import type { Models } from "../model/models.js";
import { decodeDocumentBytes, maxUtf8BytesFor } from "../sdk/document-text.js";
import { compress } from "../sdk/in-process.js";
import { parseRequestPart } from "../sdk/validate.js";
import { CompressionCache, modelIdLookup } from "../store/compression-cache.js";
import { LandmarkIndexCache } from "../store/landmark-index-cache.js";
import type { Store } from "../store/store.js";
import { SummaryVectorCache } from "../store/summary-vector-cache.js";

export interface CompressJobDeps {
  readonly store: Store;
  readonly models: Models;
  readonly maxDocumentChars?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

/**
 * One compress job: read the referenced documents, compress, store the result under its cache
 * key and return a summary. A result already stored under that key is reused, so the flows'
 * compress children and plain compress jobs with the same request compute it once.
 */
export async function runCompressJob(
  rawData: unknown,
  deps: CompressJobDeps,
): Promise<CompressJobResult> {
  const data = parseRequestPart(compressJobDataSchema, rawData, "data");
  const cacheKey = compressionCacheKey(requestKey(data), deps.models.fingerprint);
  const cache = new CompressionCache(deps.store.results, modelIdLookup(deps.models));
  const stored = await cache.get(cacheKey);
  if (stored !== null) return summarize(cacheKey, stored, true);

  const contexts = await readDocuments(data.documents, deps);
  const result = await compress(
    {
      contexts,
      ...(data.instruction !== undefined ? { instruction: data.instruction } : {}),
      ...(data.question !== undefined ? { question: data.question } : {}),
    },
    // A loose object here: the compressor's own schema checks it, as for any caller.
    data.options as CompressOptionsInput,
    {
      models: deps.models,
      ...(deps.maxDocumentChars !== undefined ? { maxDocumentChars: deps.maxDocumentChars } : {}),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      // A landmark question on a document not indexed yet indexes it here, for later questions.
      landmarkIndexes: new LandmarkIndexCache(deps.store.landmarkIndexes),
      // Gist vectors are kept per document too: a later question on it compresses nothing.
      summaryVectors: new SummaryVectorCache(deps.store.summaryVectors),
    },
  );
  await cache.put(cacheKey, result);
  return summarize(cacheKey, result, false);
}

export async function readDocuments(
  refs: readonly DocumentRefData[],
  deps: Pick<CompressJobDeps, "store" | "maxDocumentChars">,
): Promise<string[]> {
  return Promise.all(
    refs.map(async (ref, index) => {
      const path = ["documents", index];
      // Refuse an oversized blob before reading it: a raw producer may reference anything.
      if (
        deps.maxDocumentChars !== undefined &&
        ref.bytes > maxUtf8BytesFor(deps.maxDocumentChars)
      ) {
        throw CompressionInputError.of(
          path,
          `is ${ref.bytes} bytes, over the limit of ${deps.maxDocumentChars} characters`,
        );
      }
      const bytes = await deps.store.documents.getBytes(ref.sha256);
      if (bytes === null) {
        throw CompressionInputError.of(
          path,
          `document ${ref.sha256} is not in the store (expired or never stored)`,
        );
      }
      return decodeDocumentBytes(bytes, path);
    }),
  );
}

function summarize(
  cacheKey: string,
  result: CompressionResult,
  cached: boolean,
): CompressJobResult {
  return {
    cacheKey,
    method: result.method,
    originalTokens: result.stats.counts.originalTokens,
    compressedTokens: result.stats.counts.compressedTokens,
    totalMs: result.stats.totalMs,
    cached,
  };
}
