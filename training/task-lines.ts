import { readerCompletion, readerPrompt, type TaskSample } from "../bench/tasks/index.js";

/** One JSON line of task training data: what the Python trainer reads (ctxtrain/data.py). */
export function taskDataLine(sample: TaskSample): string {
  return JSON.stringify({
    id: sample.id,
    task: sample.task,
    prompt: readerPrompt(sample),
    answer: readerCompletion(sample),
    lengthTokens: sample.meta.lengthTokens,
  });
}
