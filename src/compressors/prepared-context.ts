import { CompressionInputError } from "../errors/compression-input-error.js";
import type { TokenizedText, Tokenizer } from "../model/types.js";
import { type ParsedContext, parseStructuredContext, plainContext } from "./structured-prompt.js";
import type { PlanUnit } from "./token-level-plan.js";
import { groupTokenUnits, type TokenUnit, unitsCoveringStrings } from "./token-units.js";

/** A context ready for compression: its plain text, segments, tokens and units. */
export interface PreparedContext {
  /** Index in the input. */
  readonly index: number;
  readonly parsed: ParsedContext;
  readonly tokens: TokenizedText;
  readonly units: readonly TokenUnit[];
}

/** The context's plain text and segments; malformed tags are a `CompressionInputError`. */
export function parseContext(source: string, index: number, readTags: boolean): ParsedContext {
  if (!readTags) return plainContext(source);
  try {
    return parseStructuredContext(source);
  } catch (error) {
    if (error instanceof CompressionInputError) throw error.under(["input", "contexts", index]);
    throw error;
  }
}

export function prepareContext(
  source: string,
  index: number,
  tokenizer: Tokenizer,
  readTags: boolean,
): PreparedContext {
  const parsed = parseContext(source, index, readTags);
  const tokens = tokenizer.encodeWithSpans(parsed.text);
  return { index, parsed, tokens, units: groupTokenUnits(tokens.spans) };
}

/** Whether a context holds a compress=false segment (such contexts are never dropped). */
export function hasVerbatimSegment(context: PreparedContext): boolean {
  return context.parsed.segments.some((segment) => !segment.compress);
}

export interface UnitSettings {
  /** Strings whose occurrences are kept. */
  readonly forceStrings: readonly string[];
  /** The context's dynamic-ratio delta. */
  readonly delta: number;
  /** First group id to use; the context uses one per segment. */
  readonly firstGroup: number;
}

/**
 * The context's units as plan units. A unit follows the segment its first character is in,
 * and is forced when it overlaps a compress=false segment or a forced string.
 */
export function planUnitsOf(context: PreparedContext, settings: UnitSettings): PlanUnit[] {
  const { segments } = context.parsed;
  const forcedByString = unitsCoveringStrings(
    context.parsed.text,
    context.units,
    settings.forceStrings,
  );
  let segment = 0;
  return context.units.map((unit, position) => {
    while (segment < segments.length - 1 && (segments[segment]?.end ?? 0) <= unit.start) segment++;
    let verbatim = false;
    for (let s = segment; s < segments.length && (segments[s]?.start ?? unit.end) < unit.end; s++) {
      if (segments[s]?.compress === false) verbatim = true;
    }
    return {
      ids: context.tokens.ids.slice(unit.firstToken, unit.firstToken + unit.tokenCount),
      group: settings.firstGroup + segment,
      forced: verbatim || (forcedByString[position] ?? false),
      explicitRate: segments[segment]?.rate ?? null,
      delta: settings.delta,
    };
  });
}
