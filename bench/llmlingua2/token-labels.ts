/**
 * Teacher labels of make-labels.ts (labels-<split>.jsonl) per classifier token, as
 * training/llmlingua2/labels.py derives them: a token is kept by the teacher at a rate when at
 * least half of its characters survived that run; a token touching an oracle needle is a needle.
 */
import { readFileSync } from "node:fs";
import type { Tokenizer } from "../../src/model/types.js";
import { codePointOffsets } from "./code-points.js";

/** One line of labels-<split>.jsonl; offsets in code points (what Python indexes). */
export interface LabelledText {
  readonly id: string;
  readonly kind: string;
  readonly text: string;
  readonly kept: Readonly<Record<string, readonly (readonly [number, number])[]>>;
  readonly needles: readonly (readonly [number, number])[];
}

export interface TokenLabels {
  readonly kind: string;
  /** Content token ids (no [CLS]/[SEP]), cut to the classifier's window as labels.py does. */
  readonly ids: number[];
  /** Per teacher rate: did the teacher keep the token. */
  readonly teacher: Readonly<Record<string, boolean[]>>;
  readonly needles: boolean[];
}

export function readLabelledTexts(file: string): LabelledText[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as LabelledText);
}

function charMask(length: number, spans: readonly (readonly [number, number])[]): Uint8Array {
  const mask = new Uint8Array(length);
  for (const [start, end] of spans) mask.fill(1, start, end);
  return mask;
}

/** Share of code points [start, end) set in `mask` (0 for an empty token, as labels.py). */
function tokenShare(mask: Uint8Array, start: number, end: number): number {
  if (end <= start) return 0;
  let set = 0;
  for (let i = start; i < end; i++) set += mask[i] ?? 0;
  return set / (end - start);
}

export function tokenLabels(
  labelled: LabelledText,
  tokenizer: Tokenizer,
  maxTokens: number,
): TokenLabels {
  const { text } = labelled;
  const points = codePointOffsets(text);
  const length = points[text.length] ?? 0;
  const encoded = tokenizer.encodeWithSpans(text);
  // ctxpress spans cover the whitespace before a word; Python's WordPiece spans do not.
  const spans = encoded.spans.slice(0, maxTokens).map(([start, end]) => {
    let from = start;
    while (from < end && /\s/.test(text[from] ?? "")) from++;
    return [points[from] ?? 0, points[end] ?? 0] as const;
  });
  const teacher: Record<string, boolean[]> = {};
  for (const [rate, kept] of Object.entries(labelled.kept)) {
    const mask = charMask(length, kept);
    teacher[rate] = spans.map(([start, end]) => tokenShare(mask, start, end) >= 0.5);
  }
  const needleMask = charMask(length, labelled.needles);
  return {
    kind: labelled.kind,
    ids: encoded.ids.slice(0, maxTokens),
    teacher,
    needles: spans.map(([start, end]) => tokenShare(needleMask, start, end) > 0),
  };
}
