import { ModelConfigError } from "../errors/index.js";

/**
 * Whether model inputs start with BOS: `requested` when given (true needs a BOS token),
 * otherwise whenever the model has one. Models trained with BOS at position 0 (Llama, ours)
 * score and generate badly without it; with it, even the first token of a text gets a score.
 */
export function resolveBos(
  requested: boolean | undefined,
  available: number | null,
  model: string,
): number | null {
  if (requested === true && available === null) {
    throw new ModelConfigError(`${model} has no BOS token to prepend`);
  }
  return requested === false ? null : available;
}
