import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { bestSubspanEm, normalizeAnswer, stringMatchPart } from "../tasks/index.js";
import type { BenchSample, DatasetRef } from "./samples.js";

/**
 * User-supplied evaluation sets as JSONL, one example per line:
 *   {"context": "...", "question": "...", "answers": ["..."]}
 *   {"documents": ["...", "..."], "question": "...", "answers": ["...", "..."]}
 * Optional: "id", "instruction" (default below) and "answerPrefix" (what the reader's answer
 * starts with). Other fields are ignored, so converted sets may keep theirs (LongBench's
 * "input" must be renamed "question": see docs/BENCHMARKS.md).
 */
const nonBlank = z.string().refine((text) => text.trim() !== "", { message: "must not be empty" });

export const datasetRecordSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    context: nonBlank.optional(),
    documents: z.array(nonBlank).min(1, { message: "needs at least one document" }).optional(),
    question: nonBlank,
    answers: z.array(nonBlank).min(1, { message: "needs at least one answer" }),
    instruction: z.string().optional(),
    answerPrefix: z.string().optional(),
  })
  .superRefine((record, ctx) => {
    if ((record.context === undefined) === (record.documents === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["context"],
        message: 'give exactly one of "context" (a string) or "documents" (an array of strings)',
      });
    }
  });
export type DatasetRecord = z.output<typeof datasetRecordSchema>;

/** How a dataset's predictions are scored. */
export const DATASET_METRICS = {
  /** Any answer occurs in the prediction, case-insensitively (RULER's string_match_part). */
  contains: stringMatchPart,
  /** A SQuAD-normalised answer occurs in the first line on word boundaries (Lost in the Middle). */
  "subspan-em": bestSubspanEm,
  /** The normalised first line equals a normalised answer. */
  exact: (prediction: string, answers: readonly string[]) => {
    const line = normalizeAnswer(prediction.trimStart().split("\n")[0] ?? "");
    return answers.some((answer) => normalizeAnswer(answer) === line) ? 1 : 0;
  },
} as const;
export type DatasetMetric = keyof typeof DATASET_METRICS;

export const DEFAULT_DATASET_INSTRUCTION =
  "Answer the question using only the provided documents. Answer with a few words.";

/** A dataset line that is not valid: names the file, the line and every problem. */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly problems: readonly string[],
  ) {
    super(`${file}${line === null ? "" : `:${line}`}: ${problems.join("; ")}`);
  }
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(record)";
    return `${where}: ${issue.message}`;
  });
}

export function datasetName(file: string): string {
  return path.basename(file).replace(/\.jsonl?$/i, "");
}

/** Parses JSONL text; blank lines are skipped; the first invalid line throws a `DatasetError`. */
export function parseDataset(
  text: string,
  file: string,
): Array<{ line: number; record: DatasetRecord }> {
  const out: Array<{ line: number; record: DatasetRecord }> = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new DatasetError(file, index + 1, [`not JSON (${(error as Error).message})`]);
    }
    const parsed = datasetRecordSchema.safeParse(json);
    if (!parsed.success) throw new DatasetError(file, index + 1, problemsOf(parsed.error));
    out.push({ line: index + 1, record: parsed.data });
  }
  if (out.length === 0) throw new DatasetError(file, null, ["holds no records"]);
  return out;
}

export function datasetSample(
  name: string,
  line: number,
  record: DatasetRecord,
  metric: DatasetMetric,
): BenchSample {
  const ref: DatasetRef = { kind: "dataset", dataset: name, line };
  const answers = record.answers;
  const score = DATASET_METRICS[metric];
  return {
    id: `${name}-${record.id ?? `line${line}`}`,
    ref,
    task: `dataset:${name}`,
    lengthLabel: "mixed",
    instruction: record.instruction ?? DEFAULT_DATASET_INSTRUCTION,
    contexts: record.documents ?? [record.context as string],
    question: record.question,
    answerPrefix: record.answerPrefix ?? "",
    answers,
    depth: null,
    position: null,
    score: (prediction) => score(prediction, answers),
  };
}

/** Loads a JSONL dataset file into benchmark samples (ids must be unique within the file). */
export function loadDataset(file: string, metric: DatasetMetric = "contains"): BenchSample[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DatasetError(file, null, [
      `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    ]);
  }
  const name = datasetName(file);
  const samples = parseDataset(text, file).map(({ line, record }) =>
    datasetSample(name, line, record, metric),
  );
  const seen = new Map<string, number>();
  for (const sample of samples) {
    const line = (sample.ref as DatasetRef).line;
    const first = seen.get(sample.id);
    if (first !== undefined) {
      throw new DatasetError(file, line, [`id: repeats the id of line ${first}`]);
    }
    seen.set(sample.id, line);
  }
  return samples;
}
