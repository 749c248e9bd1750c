import type { TaskName, TaskSample } from "./types.js";

/**
 * Metrics of the reference tasks. `prediction` is the decoder's continuation after the answer
 * prefix (or a whole answer: every metric searches inside it).
 */

/** SQuAD normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, " ")
    .replace(/\b(a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** RULER string_match_all: the fraction of references found (case-insensitive substring). */
export function stringMatchAll(prediction: string, answers: readonly string[]): number {
  if (answers.length === 0) return 0;
  const lower = prediction.toLowerCase();
  return answers.filter((a) => lower.includes(a.toLowerCase())).length / answers.length;
}

/** RULER string_match_part: 1 when any reference is found (case-insensitive substring). */
export function stringMatchPart(prediction: string, answers: readonly string[]): number {
  const lower = prediction.toLowerCase();
  return answers.some((a) => lower.includes(a.toLowerCase())) ? 1 : 0;
}

/**
 * Lost in the Middle's best_subspan_em: 1 when a normalised reference occurs in the normalised
 * first line of the prediction, on word boundaries.
 */
export function bestSubspanEm(prediction: string, answers: readonly string[]): number {
  const firstLine = ` ${normalizeAnswer(prediction.trimStart().split("\n")[0] ?? "")} `;
  return answers.some((a) => firstLine.includes(` ${normalizeAnswer(a)} `)) ? 1 : 0;
}

/** Landmark passkey: the first integer of the prediction equals the key. */
export function firstIntegerMatch(prediction: string, answers: readonly string[]): number {
  const first = prediction.match(/\d+/)?.[0];
  return first !== undefined && answers.some((a) => Number(a) === Number(first)) ? 1 : 0;
}

const METRIC: Record<TaskName, (prediction: string, answers: readonly string[]) => number> = {
  passkey: firstIntegerMatch,
  "multi-key": stringMatchPart,
  "multi-value": stringMatchAll,
  "variable-tracking": stringMatchAll,
  "doc-qa": bestSubspanEm,
};

/** The task's own metric, in [0, 1]. */
export function scoreSample(
  sample: Pick<TaskSample, "task" | "answers">,
  prediction: string,
): number {
  return METRIC[sample.task](prediction, sample.answers);
}
