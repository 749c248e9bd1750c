import {
  type AnswerJobResult,
  answerJobDataSchema,
  compressJobResultSchema,
} from "../../queues/schemas.js";
import type { Progress } from "../compressors/types.js";
import { CompressionInputError } from "../errors/index.js";
import type { Models } from "../model/models.js";
import { answerCompression } from "../sdk/gist-answer.js";
import { parseRequestPart } from "../sdk/validate.js";
import type { Store } from "../store/store.js";
import { SummaryVectorCache } from "../store/summary-vector-cache.js";

export interface AnswerJobDeps {
  readonly store: Store;
  readonly models: Models;
  /** The answer is stored under the answer job's id. */
  readonly jobId: string;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

/**
 * One answer job, the parent of a compress job in a flow: read the child's stored compression,
 * let the decoder answer, store the answer with the costs of both steps.
 */
export async function runAnswerJob(
  rawData: unknown,
  childValues: Record<string, unknown>,
  deps: AnswerJobDeps,
): Promise<AnswerJobResult> {
  const data = parseRequestPart(answerJobDataSchema, rawData, "data");
  const children = Object.values(childValues);
  if (children.length !== 1) {
    throw CompressionInputError.of(
      ["children"],
      `an answer job needs exactly one completed compress child, found ${children.length}`,
    );
  }
  const child = parseRequestPart(compressJobResultSchema, children[0], "child");
  const compression = await deps.store.results.getCompression(child.cacheKey);
  if (compression === null) {
    throw CompressionInputError.of(["child", "cacheKey"], "the compression result has expired");
  }
  deps.onProgress?.({ stage: "decode", fraction: 0 });
  const answer = await answerCompression(
    compression,
    deps.models,
    new SummaryVectorCache(deps.store.summaryVectors),
    data.generation,
    deps.signal,
  );
  await deps.store.results.putAnswer(deps.jobId, answer);
  deps.onProgress?.({ stage: "decode", fraction: 1 });
  return { cacheKey: child.cacheKey, answer: answer.answer };
}
