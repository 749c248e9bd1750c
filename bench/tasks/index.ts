/**
 * Deterministic synthetic long-context tasks, shared by the benchmark, the training data and the
 * evaluation of the embedded models. Every generator takes a seed, a target length in the
 * caller's tokens (with the caller's counter) and a haystack source, and returns a `TaskSample`;
 * `scoreSample` applies the task's reference metric to a prediction.
 *
 *   const sample = passkey({ seed: 1, lengthTokens: 2048, depth: 0.5, countTokens, haystack: corpusHaystack("heldout") });
 *   const score = scoreSample(sample, await decoder(readerPrompt(sample)));
 */
import { docQa } from "./doc-qa.js";
import { multiKey } from "./multi-key.js";
import { multiValue } from "./multi-value.js";
import { passkey } from "./passkey.js";
import type { TaskName, TaskSample } from "./types.js";
import { variableTracking } from "./variable-tracking.js";

export { type DocQaOptions, docQa } from "./doc-qa.js";
export { corpusHaystack, FILLER_HAYSTACK } from "./haystack.js";
export { type MultiKeyOptions, multiKey } from "./multi-key.js";
export { type MultiValueOptions, multiValue } from "./multi-value.js";
export { type PasskeyOptions, passkey } from "./passkey.js";
export { readerCompletion, readerPrompt } from "./prompt.js";
export { Rng } from "./rng.js";
export {
  bestSubspanEm,
  firstIntegerMatch,
  normalizeAnswer,
  scoreSample,
  stringMatchAll,
  stringMatchPart,
} from "./scoring.js";
export type { HaystackSource, TaskMeta, TaskName, TaskSample, TokenCounter } from "./types.js";
export { TASK_NAMES } from "./types.js";
export { type VariableTrackingOptions, variableTracking } from "./variable-tracking.js";

/** Generators by name, for callers that pick tasks from configuration. */
export const TASK_GENERATORS = {
  passkey,
  "multi-key": multiKey,
  "multi-value": multiValue,
  "variable-tracking": variableTracking,
  "doc-qa": docQa,
} satisfies Record<TaskName, (options: never) => TaskSample>;
