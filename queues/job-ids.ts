import { canonicalJson, sha256Hex } from "./hash.js";
import type { CompressJobData, GenerationOptions } from "./schemas.js";

/*
 * Deterministic job ids make BullMQ deduplicate: adding a job whose id exists returns the
 * existing job, so the same document + options enqueued twice runs once. Ids are hashes of the
 * canonical request (document hashes, options after defaults, instruction, question) and of the
 * models that must compute it, never of anything that varies between identical requests: when
 * the workers' models change, the same request gets a new id and is computed again.
 * BullMQ forbids ':' in ids; hex and '-' are safe.
 */

/** Hash of a compression request as a producer sees it, models included: the job's identity. */
export function requestKey(data: CompressJobData): string {
  return sha256Hex(
    canonicalJson({
      documents: data.documents.map((document) => document.sha256),
      options: data.options,
      instruction: data.instruction ?? null,
      question: data.question ?? null,
      models: data.models ?? null,
    }),
  );
}

/**
 * Key of a stored compression: the request plus the models that computed it, so a worker with
 * another scorer never serves a result computed by a different one.
 */
export function compressionCacheKey(request: string, modelsFingerprint: string): string {
  return sha256Hex(`${request}\n${modelsFingerprint}`);
}

export function compressJobId(request: string): string {
  return `compress-${request}`;
}

/** Identity of a compress-then-answer request: the compression plus the decoding settings. */
export function answerJobId(request: string, generation: GenerationOptions): string {
  return `answer-${sha256Hex(canonicalJson({ request, generation }))}`;
}

/**
 * The compress child of an answer flow gets its own id: BullMQ leaves a parent waiting forever
 * when its child id already belongs to a finished job of another parent. The work is still done
 * once, since the worker reuses a stored compression with the same cache key.
 */
export function answerChildJobId(answerId: string): string {
  return `${answerId}-compress`;
}
