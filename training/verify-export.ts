import { readExportCheck } from "./model-folder-files.js";
import { OnnxLm, type OnnxLmOptions, tokenLogprobs } from "./onnx-lm.js";

/**
 * Largest |log-prob difference| between ONNX Runtime (the folder's `onnx/<file>`) and the values
 * torch recorded at export for that file, over the check text's scored tokens.
 */
export async function exportCheckDifference(
  folder: string,
  file = "model.onnx",
  options: OnnxLmOptions = {},
): Promise<{ max: number; mean: number }> {
  const check = readExportCheck(folder);
  const expected = file === "model.onnx" ? check.logprobs : check.variants?.[file]?.logprobs;
  if (!expected) throw new Error(`${folder}/export-check.json has no log-probs for ${file}`);
  const lm = await OnnxLm.load(folder, file, options);
  try {
    const [logprobs] = await tokenLogprobs(lm, [check.input_ids]);
    return absDifferences(logprobs as Float64Array, expected);
  } finally {
    await lm.dispose();
  }
}

/** Max and mean of |actual[i] - expected[i]| over i >= 1 (entry 0 has no context, no score). */
export function absDifferences(
  actual: ArrayLike<number>,
  expected: readonly (number | null)[],
): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 1; i < expected.length; i++) {
    const difference = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(difference <= max)) max = difference; // NaN counts as a failure
    sum += difference;
  }
  return { max, mean: sum / Math.max(1, expected.length - 1) };
}
