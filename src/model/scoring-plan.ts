import { ModelConfigError } from "../errors/index.js";
import type { ScoreItem } from "./types.js";

/**
 * Splits scoring requests into model-sized windows. Pure: both the ONNX scorer and the remote
 * (vLLM) scorer execute the same plan, so the same model gives the same numbers either way (the
 * ONNX scorer streams inputs past the window through its KV cache instead, where the model
 * allows: cache-stream-plan.ts; `cacheStream: false` restores this plan).
 *
 * An item's sequence is `condition ++ tokens`; only `tokens` get scores. A model input is
 * `[BOS] ++ sequence[contextStart, end)` and scores `sequence[scoreStart, end)`.
 * - If the whole sequence fits, there is one window and every token sees everything before it.
 * - Otherwise windows slide: each scores `usable - overlap` new tokens (usable = window minus
 *   the BOS slot), and fills the rest of the window with the tokens just before them, so every
 *   token sees at least `overlap` tokens of context (all of them near the start). The first
 *   window takes as much of a long condition as fits. Each token's score therefore equals
 *   scoring it in one pass over `sequence[contextStart, itself]`; the re-encoded overlap costs
 *   `usable / (usable - overlap)` times the compute of a single pass.
 */
export interface ScoringWindow {
  /** Index of the item in the request. */
  readonly item: number;
  /** Model input: [BOS] ++ sequence[contextStart, end). */
  readonly input: readonly number[];
  /** Index in `input` of the first token to score. */
  readonly scoreFrom: number;
  /** Index in the item's result of input[scoreFrom]. */
  readonly resultOffset: number;
}

export interface WindowSettings {
  /** Model window in tokens, BOS included. */
  readonly window: number;
  /** Context tokens re-encoded at the start of each window after the first. */
  readonly overlap: number;
  /** Prepended to every window when not null. */
  readonly bosTokenId: number | null;
}

/** The default overlap: a quarter of the window (1.33x compute past the window). */
export function defaultOverlap(window: number): number {
  return Math.floor(window / 4);
}

export function validateWindowSettings(settings: WindowSettings): void {
  const usable = settings.window - (settings.bosTokenId === null ? 0 : 1);
  if (!Number.isInteger(settings.window) || usable < 2) {
    throw new ModelConfigError(`scoring window ${settings.window} is too small`);
  }
  if (!Number.isInteger(settings.overlap) || settings.overlap < 0 || settings.overlap >= usable) {
    throw new ModelConfigError(
      `window overlap must be an integer in [0, ${usable - 1}] for a ${settings.window}-token window; got ${settings.overlap}`,
    );
  }
}

export function planWindows(
  items: readonly ScoreItem[],
  settings: WindowSettings,
): ScoringWindow[] {
  validateWindowSettings(settings);
  const bos = settings.bosTokenId === null ? [] : [settings.bosTokenId];
  const usable = settings.window - bos.length;
  const step = usable - settings.overlap;
  const windows: ScoringWindow[] = [];
  items.forEach((item, index) => {
    const condition = item.condition ?? [];
    const sequence = [...condition, ...item.tokens];
    const first = condition.length;
    if (item.tokens.length === 0) return;
    let start = first;
    let end = Math.min(sequence.length, Math.max(usable, first + step));
    while (start < sequence.length) {
      const contextStart = Math.max(0, end - usable);
      windows.push({
        item: index,
        input: [...bos, ...sequence.slice(contextStart, end)],
        scoreFrom: bos.length + start - contextStart,
        resultOffset: start - first,
      });
      start = end;
      end = Math.min(sequence.length, start + step);
    }
  });
  return windows;
}
