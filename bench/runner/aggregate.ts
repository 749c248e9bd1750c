import { NONE } from "./cell.js";
import { compressionRatio, mean, wilsonInterval } from "./metrics.js";
import type { BenchRecord } from "./record.js";

/**
 * Cells of the report: records grouped by task × length × method × rate. Accuracy counts every
 * scored record (answered, or over the reader's window and scored 0); n/a and failed records are
 * counted apart and never enter an accuracy.
 */
export interface CellSummary {
  readonly task: string;
  readonly lengthLabel: string;
  readonly method: string;
  readonly rate: number;
  /** Scored records: answered plus over-window. */
  readonly n: number;
  readonly overWindow: number;
  /** Records compressed a second time with a scaled target because the first overflowed the reader. */
  readonly retried: number;
  readonly notApplicable: number;
  readonly errors: number;
  /** Distinct reasons of n/a and failed records. */
  readonly reasons: readonly string[];
  readonly accuracy: number | null;
  readonly interval: readonly [number, number] | null;
  /** Mean answer retention over the records that have one (text methods). */
  readonly retention: number | null;
  /** Σ original ÷ Σ compressed reader tokens over the scored records. */
  readonly ratio: number | null;
  readonly ratioCl100k: number | null;
  /** Share of scored records whose budget the reader's window capped. */
  readonly cappedShare: number | null;
  /** Mean reader tokens of the original prompt. */
  readonly originalTokens: number | null;
  readonly compressMs: number | null;
  /** Σ original compressor tokens ÷ Σ compression seconds. */
  readonly tokensPerSecond: number | null;
  readonly decodeMs: number | null;
  /** Compression plus answer, per answered record. */
  readonly endToEndMs: number | null;
  /** The uncompressed answer time of the same samples (where "none" ran), for comparison. */
  readonly uncompressedMs: number | null;
  /** uncompressedMs ÷ endToEndMs over the samples both have. */
  readonly speedup: number | null;
}

export interface PlacementSummary {
  readonly task: string;
  readonly lengthLabel: string;
  readonly method: string;
  readonly rate: number;
  /** "depth" (0..1) for haystack tasks, "position" (1-based) for document QA. */
  readonly axis: "depth" | "position";
  readonly at: number;
  readonly n: number;
  readonly accuracy: number | null;
  /** Mean answer retention over the records that have one (text methods). */
  readonly retention: number | null;
}

const isScored = (record: BenchRecord) =>
  (record.status === "ok" || record.status === "over-window") && record.metrics !== undefined;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

function ratioOf(records: readonly BenchRecord[], counts: "reader" | "cl100k"): number | null {
  if (records.length === 0) return null;
  const original = sum(records.map((r) => r.metrics?.[counts].original ?? 0));
  const compressed = sum(records.map((r) => r.metrics?.[counts].compressed ?? 0));
  return compressionRatio(original, compressed);
}

/** Sort order of length labels: by the requested length when known. */
export function lengthOrder(records: readonly BenchRecord[]): string[] {
  const lengths = new Map<string, number>();
  for (const record of records) {
    const tokens =
      record.ref.kind === "generated" ? record.ref.lengthTokens : Number.MAX_SAFE_INTEGER;
    lengths.set(record.lengthLabel, Math.min(tokens, lengths.get(record.lengthLabel) ?? tokens));
  }
  return [...lengths.entries()].sort((a, b) => a[1] - b[1]).map(([label]) => label);
}

function summarizeCell(
  records: readonly BenchRecord[],
  noneBySample: Map<string, number>,
): CellSummary {
  const first = records[0] as BenchRecord;
  const scored = records.filter(isScored);
  const answered = scored.filter((r) => r.status === "ok" && r.timings?.decodeMs != null);
  const accuracy = mean(scored.map((r) => r.metrics?.score ?? 0));
  const compressed = scored.filter((r) => r.timings !== undefined);
  const compressSeconds = sum(compressed.map((r) => (r.timings?.compressMs ?? 0) / 1000));
  const endToEnd = answered.map((r) => (r.timings?.compressMs ?? 0) + (r.timings?.decodeMs ?? 0));
  const paired = answered.filter((r) => noneBySample.has(r.sampleId));
  const pairedEndToEnd = sum(
    paired.map((r) => (r.timings?.compressMs ?? 0) + (r.timings?.decodeMs ?? 0)),
  );
  const pairedNone = sum(paired.map((r) => noneBySample.get(r.sampleId) ?? 0));
  return {
    task: first.task,
    lengthLabel: first.lengthLabel,
    method: first.method,
    rate: first.rate,
    n: scored.length,
    overWindow: records.filter((r) => r.status === "over-window").length,
    retried: scored.filter((r) => r.budget?.attempts === 2).length,
    notApplicable: records.filter((r) => r.status === "n/a").length,
    errors: records.filter((r) => r.status === "error").length,
    reasons: [
      ...new Set(
        records
          .filter((r) => r.status === "n/a" || r.status === "error")
          .map((r) => r.reason ?? "(no reason recorded)"),
      ),
    ],
    accuracy,
    interval: accuracy === null ? null : wilsonInterval(accuracy, scored.length),
    retention: mean(
      scored.flatMap((r) => (r.metrics?.retention == null ? [] : [r.metrics.retention])),
    ),
    ratio: ratioOf(scored, "reader"),
    ratioCl100k: ratioOf(scored, "cl100k"),
    cappedShare: mean(
      scored.filter((r) => r.method !== NONE).map((r) => (r.budget?.cappedByWindow ? 1 : 0)),
    ),
    originalTokens: mean(scored.map((r) => r.metrics?.reader.original ?? 0)),
    compressMs: mean(compressed.map((r) => r.timings?.compressMs ?? 0)),
    tokensPerSecond:
      first.method === NONE || compressSeconds === 0
        ? null
        : sum(compressed.map((r) => r.metrics?.compressor.original ?? 0)) / compressSeconds,
    decodeMs: mean(answered.map((r) => r.timings?.decodeMs ?? 0)),
    endToEndMs: mean(endToEnd),
    uncompressedMs: paired.length === 0 ? null : pairedNone / paired.length,
    speedup: paired.length === 0 || pairedEndToEnd === 0 ? null : pairedNone / pairedEndToEnd,
  };
}

/** One summary per task × length × method × rate, in table order. */
export function summarizeCells(
  records: readonly BenchRecord[],
  methods: readonly string[],
): CellSummary[] {
  const noneBySample = new Map<string, number>();
  for (const record of records) {
    if (record.method === NONE && record.status === "ok" && record.timings?.decodeMs != null) {
      noneBySample.set(record.sampleId, record.timings.decodeMs);
    }
  }
  const cells = [
    ...groupBy(records, (r) => [r.task, r.lengthLabel, r.method, r.rate].join("|")).values(),
  ].map((group) => summarizeCell(group, noneBySample));
  const lengths = lengthOrder(records);
  const tasks = [...new Set(records.map((r) => r.task))];
  const methodIndex = (method: string) => {
    const i = methods.indexOf(method);
    return i < 0 ? methods.length : i;
  };
  return cells.sort(
    (a, b) =>
      lengths.indexOf(a.lengthLabel) - lengths.indexOf(b.lengthLabel) ||
      tasks.indexOf(a.task) - tasks.indexOf(b.task) ||
      methodIndex(a.method) - methodIndex(b.method) ||
      a.method.localeCompare(b.method) ||
      b.rate - a.rate,
  );
}

/** Accuracy by needle depth or answer-document position, per cell. */
export function summarizePlacements(records: readonly BenchRecord[]): PlacementSummary[] {
  const placed = records.filter((r) => isScored(r) && (r.depth !== null || r.position !== null));
  return [
    ...groupBy(placed, (r) =>
      [r.task, r.lengthLabel, r.method, r.rate, r.depth ?? "", r.position ?? ""].join("|"),
    ).values(),
  ].map((group) => {
    const first = group[0] as BenchRecord;
    const axis = first.position !== null ? "position" : "depth";
    return {
      task: first.task,
      lengthLabel: first.lengthLabel,
      method: first.method,
      rate: first.rate,
      axis,
      at: (axis === "position" ? first.position : first.depth) as number,
      n: group.length,
      accuracy: mean(group.map((r) => r.metrics?.score ?? 0)),
      retention: mean(
        group.flatMap((r) => (r.metrics?.retention == null ? [] : [r.metrics.retention])),
      ),
    };
  });
}
