/**
 * English text from the corpora npm packages ship, split by document into train and held-out.
 * Training reads the train split (via training/prepare-data.ts); evaluation, the benchmark and
 * the task generators' haystacks read the held-out split.
 */
import { splitParagraphs } from "./paragraphs.js";
import { loadBrown } from "./sources/brown.js";
import { loadMobyDick } from "./sources/moby-dick.js";
import { loadNlpCorpus } from "./sources/nlp-corpus.js";
import { loadSotu } from "./sources/sotu.js";
import { loadSpamAssassin } from "./sources/spam-assassin.js";
import { splitOf } from "./split.js";
import type { CorpusDocument, CorpusSource, CorpusSplit } from "./types.js";

export { splitParagraphs } from "./paragraphs.js";
export { HELD_OUT_FRACTION, splitOf } from "./split.js";
export type { CorpusDocument, CorpusSource, CorpusSplit } from "./types.js";
export { CORPUS_SOURCES } from "./types.js";

const LOADERS: Record<CorpusSource, () => CorpusDocument[]> = {
  brown: loadBrown,
  sotu: loadSotu,
  "moby-dick": loadMobyDick,
  "nlp-corpus": loadNlpCorpus,
  "spam-assassin": loadSpamAssassin,
};

let cache: CorpusDocument[] | undefined;

/** Every document of every source, in a fixed order (by source, then file name). Cached. */
export function loadAllDocuments(): readonly CorpusDocument[] {
  cache ??= Object.values(LOADERS).flatMap((load) => load());
  return cache;
}

/** The documents of one split, in the fixed order of `loadAllDocuments`. */
export function loadDocuments(split: CorpusSplit): CorpusDocument[] {
  return loadAllDocuments().filter((document) => splitOf(document.id) === split);
}

/** Paragraphs of one split (at most ~1,200 characters each), document after document. */
export function loadParagraphs(split: CorpusSplit): string[] {
  return loadDocuments(split).flatMap((document) => splitParagraphs(document.text));
}
