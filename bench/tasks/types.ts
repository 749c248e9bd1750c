/** Counts tokens of a text in the caller's tokenizer (the one whose window the prompt must fit). */
export type TokenCounter = (text: string) => number;

export const TASK_NAMES = [
  "passkey",
  "multi-key",
  "multi-value",
  "variable-tracking",
  "doc-qa",
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** Where filler text comes from: paragraphs of the train split for training, held-out for evaluation. */
export interface HaystackSource {
  readonly name: string;
  readonly paragraphs: readonly string[];
}

export interface TaskMeta {
  /** Tokens of `readerPrompt(sample)` in the caller's counter: at most the requested length. */
  readonly lengthTokens: number;
  readonly requestedTokens: number;
  readonly seed: number;
  readonly haystack: string;
  /** Haystack tasks: where the queried needle sits, 0 = start of the context, 1 = end. */
  readonly depth?: number;
  /** Document QA: 1-based index of the document holding the answer. */
  readonly position?: number;
  /** The inserted sentences (needles, facts, assignments), in context order. */
  readonly needles: readonly string[];
}

export interface TaskSample {
  /** Unique per task, length, seed and placement. */
  readonly id: string;
  readonly task: TaskName;
  /** Kept verbatim before the contexts (what a compressor's `instruction` is). */
  readonly instruction: string;
  /** One haystack for retrieval tasks; one string per document for document QA. */
  readonly contexts: readonly string[];
  readonly question: string;
  /**
   * The question restated as the start of the answer ("The pass key is"): decoders that continue
   * text answer right after it. `readerPrompt` ends with it.
   */
  readonly answerPrefix: string;
  /** Reference answers; how they are matched depends on the task (see scoring.ts). */
  readonly answers: readonly string[];
  readonly meta: TaskMeta;
}
