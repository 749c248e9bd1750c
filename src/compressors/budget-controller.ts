import { at } from "../errors/at.js";

/**
 * LLMLingua's budget controller, the context-level (coarse) filter: walk the contexts from the
 * best-ranked down and keep them while the budget lasts; the context that crosses it is kept too,
 * since the token-level stage trims the excess afterwards.
 *
 * Deviation: forced contexts spend their tokens first. The reference subtracts a forced context
 * only when its rank comes up, so a low-ranked forced context can let the walk overspend.
 */

/**
 * "+100", "-50", "*2", "/1.5": how the context-level budget relates to the token target. Parsed,
 * where the reference `eval`s the string as Python.
 */
export const CONTEXT_BUDGET_PATTERN = /^\s*([-+*/])\s*(\d+(?:\.\d+)?)\s*$/;

/**
 * Applies a context budget expression to the target. A negative target (instruction and question
 * alone exceed it) counts as 0; the reference substitutes 100 before applying the expression.
 */
export function applyContextBudget(targetTokens: number, expression: string): number {
  const match = CONTEXT_BUDGET_PATTERN.exec(expression);
  if (match === null) throw new RangeError(`invalid context budget "${expression}"`);
  const operand = Number(match[2]);
  const base = Math.max(0, targetTokens);
  switch (match[1]) {
    case "+":
      return base + operand;
    case "-":
      return base - operand;
    case "*":
      return base * operand;
    default:
      return operand === 0 ? Number.POSITIVE_INFINITY : base / operand;
  }
}

export interface ContextBudgetInput {
  /** Context indexes, best first; every index once. */
  readonly ranking: readonly number[];
  /** Token length of each context, by index. */
  readonly lengths: readonly number[];
  readonly budget: number;
  /** Contexts always kept. */
  readonly forced: ReadonlySet<number>;
}

/** The kept context indexes, in rank order. */
export function selectContexts({ ranking, lengths, budget, forced }: ContextBudgetInput): number[] {
  let remaining = budget;
  for (const index of forced) remaining -= at(lengths, index);
  const kept: number[] = [];
  for (const index of ranking) {
    if (forced.has(index)) {
      kept.push(index);
    } else if (remaining >= 0) {
      kept.push(index);
      remaining -= at(lengths, index);
    }
  }
  return kept;
}
