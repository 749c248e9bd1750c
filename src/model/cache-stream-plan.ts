import { ModelConfigError } from "../errors/index.js";
import type { TrimPositions } from "./kv-cache.js";

/**
 * How a sequence longer than the model window streams through one KV cache: the cache holds
 * `sink` tokens from the start (attention sinks) plus the most recent tokens; each step runs the
 * next chunk on top of it, and when the chunk would not fit the window the cache is first trimmed
 * to the sink plus the last `recent` tokens. Every token is therefore computed once, and every
 * token after the first window sees at least `sink + recent` tokens before it.
 */
export interface CacheStreamSettings {
  /** Model window in tokens. */
  readonly window: number;
  /** Tokens from the start of the sequence the cache keeps for good. */
  readonly sink: number;
  /** Most recent tokens a trim keeps. */
  readonly recent: number;
  /** Most tokens run per step (the logits budget). */
  readonly chunk: number;
  /** Where positions continue after a trim. */
  readonly positions: TrimPositions;
}

/** Default attention sinks: StreamingLLM's four (BOS and the first words). */
export const DEFAULT_SINK = 4;

/** Default tokens a trim keeps: half the window, so the cache refills for half a window. */
export function defaultRecent(window: number): number {
  return Math.floor(window / 2);
}

export interface CacheStreamStep {
  /** Sequence tokens [from, to) run in this step. */
  readonly from: number;
  readonly to: number;
  /** Trim the cache (to sink + recent) before the step. */
  readonly trim: boolean;
  /** Cached tokens the step's first token attends to besides itself. */
  readonly cached: number;
}

/** Throws a `ModelConfigError` when the settings leave no room for a chunk. */
export function validateCacheStream(settings: CacheStreamSettings): void {
  const { window, sink, recent, chunk } = settings;
  for (const [name, value] of Object.entries({ sink, recent, chunk })) {
    if (!Number.isInteger(value) || value < (name === "sink" ? 0 : 1)) {
      throw new ModelConfigError(
        `cache stream ${name} must be an integer >= ${name === "sink" ? 0 : 1}; got ${value}`,
      );
    }
  }
  if (sink + recent + chunk > window) {
    throw new ModelConfigError(
      `cache stream sink ${sink} + recent ${recent} + chunk ${chunk} exceeds the ${window}-token window`,
    );
  }
}

/** The steps streaming a `length`-token sequence takes (pure; the scorer and benchmarks share it). */
export function planCacheStream(length: number, settings: CacheStreamSettings): CacheStreamStep[] {
  validateCacheStream(settings);
  const steps: CacheStreamStep[] = [];
  let cached = 0;
  for (let from = 0; from < length; from += settings.chunk) {
    const to = Math.min(length, from + settings.chunk);
    const trim = cached + (to - from) > settings.window;
    if (trim) cached = settings.sink + settings.recent;
    steps.push({ from, to, trim, cached });
    cached += to - from;
  }
  return steps;
}
