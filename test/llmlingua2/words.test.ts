import { describe, expect, it } from "vitest";
import { groupWords, startsWord, wordProbability } from "../../src/compressors/llmlingua2/words.js";
import { BERT_TINY, PieceClassifier, XLMR_TINY } from "./helpers.js";

const TEXT = "The pass key is 40297. Remember it, café naïve — 日本語 😀 well-known.";

async function wordsOf(folder: string, text: string) {
  const classifier = await PieceClassifier.load(folder);
  const { ids, spans } = classifier.tokenizer.encodeWithSpans(text);
  const pieces = classifier.pieces(ids);
  const words = groupWords(text, pieces, spans, classifier.wordConvention);
  return { classifier, pieces, words, texts: words.map((w) => text.slice(w.start, w.end)) };
}

describe("word reassembly (the reference's rules per tokenizer family)", () => {
  // The same text through each family's fixture tokenizer (transformers.js).
  const families = [
    {
      name: "WordPiece (BERT multilingual layout): a word starts at every piece without ##",
      folder: BERT_TINY,
      convention: "wordpiece",
      digits: ["4", "##0", "##2", "##9", "##7"],
      // CJK characters and punctuation are words of their own; an [UNK] is a word.
      words: ["日", "本", "語", "😀", "well", "-", "known", "."],
    },
    {
      name: "SentencePiece (XLM-RoBERTa layout): a word starts at ▁ or a lone ASCII punctuation piece",
      folder: XLMR_TINY,
      convention: "sentencepiece",
      digits: ["▁4", "0", "2", "9", "7"],
      // "-" starts a word that the pieces after it join, as in the reference; a bare "▁" starts
      // the word its following pieces continue.
      words: ["日本語", "😀", "well", "-known", "."],
    },
  ] as const;
  for (const family of families) {
    it(family.name, async () => {
      const { classifier, pieces, texts } = await wordsOf(family.folder, TEXT);
      expect(classifier.wordConvention).toBe(family.convention);
      expect(pieces.slice(4, 9)).toEqual(family.digits);
      expect(texts).toEqual([
        ...["The", "pass", "key", "is", "40297", ".", "Remember", "it", ",", "café", "naïve", "—"],
        ...family.words,
      ]);
    });
  }

  it("never starts a word inside a character and keeps spans on code points", async () => {
    const text = "a😀😀b 日本語😀 é".repeat(3);
    for (const folder of [BERT_TINY, XLMR_TINY]) {
      const { words } = await wordsOf(folder, text);
      for (const word of words) {
        for (const edge of [word.start, word.end]) {
          const code = text.charCodeAt(edge);
          expect(code >= 0xdc00 && code <= 0xdfff).toBe(false);
        }
      }
      // Words cover every non-space character exactly once, in order.
      expect(words.map((w) => text.slice(w.start, w.end)).join("")).toBe(text.replace(/\s/g, ""));
    }
  });

  it("classifies pieces as word starts per family", () => {
    expect(startsWord("##ing", "wordpiece")).toBe(false);
    expect(startsWord("ing", "wordpiece")).toBe(true);
    expect(startsWord("▁the", "sentencepiece")).toBe(true);
    expect(startsWord("ing", "sentencepiece")).toBe(false);
    expect(startsWord(",", "sentencepiece")).toBe(true);
    expect(startsWord("—", "sentencepiece")).toBe(false);
  });

  it("takes the mean or the first of a word's token probabilities", () => {
    const word = { firstToken: 1, tokenCount: 3, start: 0, end: 5 };
    const probabilities = [0.9, 0.2, 0.5, 0.8, 0.1];
    expect(wordProbability(probabilities, word, "mean")).toBeCloseTo(0.5, 10);
    expect(wordProbability(probabilities, word, "first")).toBeCloseTo(0.2, 10);
  });
});
