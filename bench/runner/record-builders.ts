import type { CompressionResult } from "../../src/compressors/types.js";
import type { Generation } from "../../src/model/types.js";
import { type BenchRecord, type Counts, RECORD_VERSION, recordKey } from "./record.js";
import type { SampleSource } from "./samples.js";

/** What a record needs of its sample; answers are known once the sample is built. */
export type RecordSample = Omit<SampleSource, "load"> & { readonly answers?: readonly string[] };

/** The fields every record of a sample has. */
export function baseRecord(
  sample: RecordSample,
  method: string,
  rate: number,
): Pick<
  BenchRecord,
  | "v"
  | "key"
  | "sampleId"
  | "ref"
  | "task"
  | "lengthLabel"
  | "depth"
  | "position"
  | "answers"
  | "method"
  | "rate"
> {
  return {
    v: RECORD_VERSION,
    key: recordKey(sample.id, method, rate),
    sampleId: sample.id,
    ref: sample.ref,
    task: sample.task,
    lengthLabel: sample.lengthLabel,
    depth: sample.depth,
    position: sample.position,
    answers: [...(sample.answers ?? [])],
    method,
    rate,
  };
}

/** A cell that cannot run; `retry` when a later run might (a model that did not load). */
export function notApplicable(
  sample: RecordSample,
  method: string,
  rate: number,
  reason: string,
  retry: boolean,
): BenchRecord {
  return {
    ...baseRecord(sample, method, rate),
    status: "n/a",
    reason,
    ...(retry ? { retry } : {}),
    finishedAt: new Date().toISOString(),
  };
}

/** The compressor's own count of its prompt, from its stats. */
export function compressorCounts(result: CompressionResult): Counts {
  return {
    tokenizer: result.stats.counts.tokenizer,
    original: result.stats.counts.originalTokens,
    compressed: result.stats.counts.compressedTokens,
  };
}

export function generationStats(
  modelId: string,
  generation: Generation,
): NonNullable<BenchRecord["generation"]> {
  return {
    modelId,
    promptTokens: generation.promptTokens,
    completionTokens: generation.completionTokens,
    finishReason: generation.finishReason,
  };
}
