import type { ReorderMethod } from "./options.js";

/**
 * Order of the kept contexts in the prompt, from their rank order (best first): "original" is
 * document order, "sort" is rank order, "two_stage" puts even ranks first and odd ranks reversed
 * at the end, so the best contexts sit at both edges where long-context models look best.
 */
export function reorderContexts(rankOrder: readonly number[], method: ReorderMethod): number[] {
  switch (method) {
    case "original":
      return [...rankOrder].sort((a, b) => a - b);
    case "sort":
      return [...rankOrder];
    case "two_stage": {
      const even = rankOrder.filter((_, rank) => rank % 2 === 0);
      const odd = rankOrder.filter((_, rank) => rank % 2 === 1);
      return [...even, ...odd.reverse()];
    }
  }
}
