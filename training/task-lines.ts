import { readerCompletion, readerPrompt, type TaskSample } from "../bench/tasks/index.js";
import { assemblePrompt } from "../src/compressors/assemble.js";
import { buildAnswerPrompt } from "../src/pipeline/answer.js";

/**
 * How a task row's prompt is laid out:
 * - "reader": `readerPrompt` (labelled question and an answer prefix), what the benchmarks and
 *   `training/evaluate.ts` ask the reader;
 * - "pipeline": what `ctxpress answer` hands the decoder (the compressed prompt, whose last part is
 *   the user's question verbatim, then "\nAnswer:"), so that the embedded reader also answers the
 *   product's own prompts (`npm run demo`, the CLI, the gateway).
 */
export type PromptLayout = "reader" | "pipeline";

/** The prompt of `sample` in `layout`; the completion is `readerCompletion(sample)` in both. */
export function taskPrompt(sample: TaskSample, layout: PromptLayout): string {
  if (layout === "reader") return readerPrompt(sample);
  const { instruction, contexts, question } = sample;
  return buildAnswerPrompt({ prompt: assemblePrompt({ instruction, contexts, question }) });
}

/** One JSON line of task training data: what the Python trainer reads (ctxtrain/data.py). */
export function taskDataLine(sample: TaskSample, layout: PromptLayout = "reader"): string {
  return JSON.stringify({
    id: sample.id,
    task: sample.task,
    layout,
    prompt: taskPrompt(sample, layout),
    answer: readerCompletion(sample),
    lengthTokens: sample.meta.lengthTokens,
  });
}
