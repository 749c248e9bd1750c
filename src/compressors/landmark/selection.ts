import { at } from "../../errors/at.js";
import type { ReorderMethod } from "../options.js";
import { reorderContexts } from "../reorder.js";

/**
 * Choosing blocks for a question, as pure functions over scores: top-k under a token budget, the
 * neighbouring-block option, and the order of the chosen blocks in the prompt.
 */

/** A block as retrieval sees it; blocks of all contexts are listed together, in document order. */
export interface ScoredBlock {
  readonly context: number;
  /** Position of the block in its context. */
  readonly id: number;
  readonly tokens: number;
  /** Query–block relevance; higher is better. NaN ranks last. */
  readonly score: number;
}

export interface SelectionOptions {
  /** Most blocks chosen for their own score (neighbours come on top); null: as many as fit. */
  readonly topK: number | null;
  /** Tokens all chosen blocks may hold together. */
  readonly budget: number;
  /** Also take the blocks right before and after each chosen block (Landmark's block ±1). */
  readonly neighbours: boolean;
}

/** Indexes of `blocks`, best score first; ties keep document order. */
export function rankBlocks(blocks: readonly ScoredBlock[]): number[] {
  const score = (index: number) => {
    const value = blocks[index]?.score ?? Number.NaN;
    return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
  };
  return blocks.map((_, index) => index).sort((a, b) => score(b) - score(a) || a - b);
}

/**
 * Walks the blocks best first and takes each, with its neighbours when asked, if that fits the
 * budget; a block whose neighbours do not fit is taken alone if it fits; a block that does not fit
 * is passed over for a smaller one further down. Stops after `topK` blocks were taken for their
 * own score. Returns the chosen indexes in document order; their tokens never exceed the budget.
 */
export function selectBlocks(blocks: readonly ScoredBlock[], options: SelectionOptions): number[] {
  const taken = new Set<number>();
  let used = 0;
  let chosen = 0;
  const tokensOf = (indexes: readonly number[]) =>
    indexes.reduce((sum, index) => sum + (blocks[index]?.tokens ?? 0), 0);
  for (const index of rankBlocks(blocks)) {
    if (options.topK !== null && chosen >= options.topK) break;
    const block = blocks[index];
    if (block === undefined) continue;
    const group = [index];
    if (options.neighbours) {
      for (const neighbour of [index - 1, index + 1]) {
        if (blocks[neighbour]?.context === block.context) group.push(neighbour);
      }
    }
    const fresh = group.filter((member) => !taken.has(member));
    const candidates = [fresh, fresh.filter((member) => member === index)];
    const fitting = candidates.find((members) => used + tokensOf(members) <= options.budget);
    if (fitting === undefined) continue;
    for (const member of fitting) taken.add(member);
    used += tokensOf(fitting);
    chosen++;
  }
  return [...taken].sort((a, b) => a - b);
}

/** Chosen blocks that touch (same context, consecutive ids) form one passage. */
export interface Passage {
  /** Indexes into the block list, in document order. */
  readonly blocks: readonly number[];
  readonly context: number;
}

export function passagesOf(blocks: readonly ScoredBlock[], chosen: readonly number[]): Passage[] {
  const passages: { blocks: number[]; context: number }[] = [];
  for (const index of chosen) {
    const block = blocks[index];
    if (block === undefined) continue;
    const last = passages.at(-1);
    const previous = last === undefined ? undefined : blocks[last.blocks.at(-1) ?? -1];
    if (last !== undefined && previous?.context === block.context && previous.id === block.id - 1) {
      last.blocks.push(index);
    } else {
      passages.push({ blocks: [index], context: block.context });
    }
  }
  return passages;
}

/**
 * Passages in prompt order. A passage ranks by its best block. "original" keeps document order,
 * "sort" puts the best first, "two_stage" puts the best at both edges (LongLLMLingua's reorder,
 * against lost-in-the-middle).
 */
export function orderPassages(
  blocks: readonly ScoredBlock[],
  passages: readonly Passage[],
  method: ReorderMethod,
): Passage[] {
  const best = passages.map((passage) =>
    Math.max(
      ...passage.blocks.map((index) => {
        const score = blocks[index]?.score ?? Number.NaN;
        return Number.isNaN(score) ? Number.NEGATIVE_INFINITY : score;
      }),
    ),
  );
  const rankOrder = passages
    .map((_, index) => index)
    .sort((a, b) => at(best, b) - at(best, a) || a - b);
  return reorderContexts(rankOrder, method).map((index) => passages[index] as Passage);
}
