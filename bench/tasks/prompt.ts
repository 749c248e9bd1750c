import type { TaskSample } from "./types.js";

/**
 * The prompt the embedded reader is trained and evaluated on: instruction, contexts, then
 * "Question:" and "Answer:" followed by the answer prefix. The reader's answer is the
 * continuation; `lengthTokens` of a sample counts this whole string.
 */
export function readerPrompt(
  sample: Pick<TaskSample, "instruction" | "contexts" | "question" | "answerPrefix">,
): string {
  return `${sample.instruction}\n\n${sample.contexts.join("\n\n")}\n\nQuestion: ${sample.question}\nAnswer: ${sample.answerPrefix}`;
}

/**
 * What a perfect reader writes after `readerPrompt(sample)`: the answers, comma-separated, then a
 * full stop. Training uses it as the target; teacher-forced evaluation compares against it.
 */
export function readerCompletion(sample: Pick<TaskSample, "answers">): string {
  return ` ${sample.answers.join(", ")}.`;
}
