import { CompressionInputError } from "../errors/compression-input-error.js";
/**
 * Structured prompts: parts of a context with their own rate, or kept verbatim. Written in text as
 * `<llmlingua, rate=0.4>…</llmlingua>` / `<llmlingua, compress=False>…</llmlingua>` (the
 * reference's syntax) or given as typed segments, which `renderStructuredContext` turns into that
 * text so every context stays a plain string on the wire (queues, blob store).
 *
 * Unlike the reference parser, text between or around tags is kept as an untagged segment (the
 * reference's regex silently drops it), `<` may appear inside a segment, and malformed tags are
 * an error rather than being read as text.
 */

export interface StructuredSegment {
  readonly text: string;
  /** Fraction of this segment's tokens to keep; the global rate applies when left out. */
  readonly rate?: number;
  /** false keeps the segment verbatim (and its context is never dropped). */
  readonly compress?: boolean;
}

/** A segment of a parsed context, as a [start, end) range of its plain text. */
export interface ContextSegment {
  readonly start: number;
  readonly end: number;
  /** Explicit rate, or null for the global one. */
  readonly rate: number | null;
  readonly compress: boolean;
}

export interface ParsedContext {
  /** The context with its tags removed: what is tokenized, compressed and counted. */
  readonly text: string;
  /** Non-empty segments covering `text` in order. */
  readonly segments: readonly ContextSegment[];
}

/** A malformed tag: an input error whose path the caller puts in front (`under`). */
function malformed(message: string): CompressionInputError {
  return CompressionInputError.of([], message);
}

const OPEN = "<llmlingua";
const CLOSE = "</llmlingua>";
const TAG_PATTERN = /<llmlingua(?=[\s,>])([^>]*)>|<\/llmlingua>/g;

interface SegmentSettings {
  readonly rate: number | null;
  readonly compress: boolean;
}

const UNTAGGED: SegmentSettings = { rate: null, compress: true };

function parseAttributes(attributes: string): SegmentSettings {
  const [head, ...pairs] = attributes.split(",");
  if (head === undefined || head.trim() !== "") {
    throw malformed(`malformed tag "${OPEN}${attributes}>"`);
  }
  let rate: number | null = null;
  let compress: boolean | null = null;
  for (const pair of pairs) {
    const match = /^\s*(rate|compress)\s*=\s*(\S+?)\s*$/.exec(pair);
    if (match === null) {
      throw malformed(`malformed attribute "${pair.trim()}" in an ${OPEN}> tag`);
    }
    const [, key, value = ""] = match;
    if (key === "rate") {
      const parsed = Number(value);
      if (rate !== null || !Number.isFinite(parsed) || parsed <= 0 || parsed > 1) {
        throw malformed(`rate must be given once, in (0, 1]; got "${value}"`);
      }
      rate = parsed;
    } else {
      const lowered = value.toLowerCase();
      if (compress !== null || (lowered !== "true" && lowered !== "false")) {
        throw malformed(`compress must be given once, True or False; got "${value}"`);
      }
      compress = lowered === "true";
    }
  }
  return { rate, compress: compress ?? true };
}

/**
 * Parses `<llmlingua …>` tags; text without tags is one untagged segment.
 * @throws CompressionInputError on a malformed, nested or unclosed tag (its path empty).
 */
export function parseStructuredContext(source: string): ParsedContext {
  const segments: ContextSegment[] = [];
  let text = "";
  let open: SegmentSettings | null = null;
  let consumed = 0;
  const pushText = (piece: string, settings: SegmentSettings) => {
    if (piece.length === 0) return;
    segments.push({ start: text.length, end: text.length + piece.length, ...settings });
    text += piece;
  };
  for (const match of source.matchAll(TAG_PATTERN)) {
    const piece = source.slice(consumed, match.index);
    consumed = match.index + match[0].length;
    const attributes = match[1];
    if (attributes !== undefined) {
      if (open !== null) throw malformed("nested <llmlingua> tags are not supported");
      pushText(piece, UNTAGGED);
      open = parseAttributes(attributes);
    } else {
      if (open === null) throw malformed(`${CLOSE} without an opening tag`);
      pushText(piece, open);
      open = null;
    }
  }
  if (open !== null) throw malformed(`an ${OPEN}> tag is never closed`);
  pushText(source.slice(consumed), UNTAGGED);
  return { text, segments };
}

/** The tagged text of typed segments; `parseStructuredContext` reads it back exactly. */
export function renderStructuredContext(segments: readonly StructuredSegment[]): string {
  return segments
    .map(({ text, rate, compress }) => {
      if (text.includes(OPEN) || text.includes(CLOSE)) {
        throw malformed("a segment's text must not contain <llmlingua> tags");
      }
      // Every segment is wrapped, untagged ones too, so that no two segments' texts can run
      // together into something that reads as a tag.
      const attributes = [
        rate === undefined ? "" : `, rate=${rate}`,
        compress === undefined ? "" : `, compress=${compress ? "True" : "False"}`,
      ].join("");
      return `${OPEN}${attributes}>${text}${CLOSE}`;
    })
    .join("");
}

/** A context taken as plain text, one untagged segment (tags not parsed). */
export function plainContext(text: string): ParsedContext {
  return {
    text,
    segments: text.length === 0 ? [] : [{ start: 0, end: text.length, ...UNTAGGED }],
  };
}
