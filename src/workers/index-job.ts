import { type IndexJobResult, indexJobDataSchema } from "../../queues/index-jobs.js";
import type { Progress } from "../compressors/types.js";
import type { Models } from "../model/models.js";
import { indexDocument } from "../sdk/landmark-indexes.js";
import { parseRequestPart } from "../sdk/validate.js";
import { LandmarkIndexCache } from "../store/landmark-index-cache.js";
import type { Store } from "../store/store.js";
import { readDocuments } from "./compress-job.js";

export interface IndexJobDeps {
  readonly store: Store;
  readonly models: Models;
  readonly maxDocumentChars?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

/**
 * One index job: read the stored document and build its landmark index with this worker's
 * embedder, unless the store already holds it (then nothing is embedded and `built` is false).
 */
export async function runIndexJob(rawData: unknown, deps: IndexJobDeps): Promise<IndexJobResult> {
  const data = parseRequestPart(indexJobDataSchema, rawData, "data");
  const [text = ""] = await readDocuments([data.document], deps);
  return indexDocument(text, {
    ...deps,
    blockTokens: data.blockTokens,
    landmarkIndexes: new LandmarkIndexCache(deps.store.landmarkIndexes),
  });
}
