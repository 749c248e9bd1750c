import type { TaskSample } from "../tasks/index.js";

/**
 * What the gist reader reads after a document's summary vectors: the reader prompt of
 * bench/tasks without its contexts (instruction, question, answer prefix). The AutoCompressor is
 * trained on this text (training/gist/make-data.ts) and the benchmark asks with it.
 */
export function gistReaderText(
  sample: Pick<TaskSample, "instruction" | "question" | "answerPrefix">,
): string {
  return `${sample.instruction}\n\nQuestion: ${sample.question}\nAnswer: ${sample.answerPrefix}`;
}
