import { loadParagraphs } from "../../bench/corpus/index.js";

let cache: string[] | null = null;

/** Held-out corpus paragraphs (real English) for compressor tests, deterministic. */
export function heldOutParagraphs(count: number, offset = 0): string[] {
  cache ??= loadParagraphs("heldout");
  return cache.slice(offset, offset + count);
}
