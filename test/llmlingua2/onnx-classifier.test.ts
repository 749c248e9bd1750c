import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors/index.js";
import { OnnxTokenClassifier } from "../../src/model/token-classifier.js";
import { readClassifierVocabulary } from "../../src/model/token-classifier-vocabulary.js";
import { BERT_TINY, XLMR_TINY } from "./helpers.js";

interface Check {
  readonly content_ids: number[][];
  readonly keep_probabilities: number[][];
  readonly tolerance: number;
}

const loaded: OnnxTokenClassifier[] = [];
async function load(folder: string, batchTokens?: number) {
  const classifier = await OnnxTokenClassifier.load(folder, {
    ...(batchTokens ? { batchTokens } : {}),
    log: () => {},
  });
  loaded.push(classifier);
  return classifier;
}
afterAll(async () => {
  await Promise.all(loaded.map((c) => c.dispose()));
});

describe("OnnxTokenClassifier (real ONNX Runtime) on both published layouts", () => {
  for (const [name, folder, window] of [
    ["BERT multilingual", BERT_TINY, 510],
    ["XLM-RoBERTa", XLMR_TINY, 510],
  ] as const) {
    it(`${name}: keep probabilities equal torch's for the family's framing`, async () => {
      const check = JSON.parse(
        readFileSync(path.join(folder, "export-check.json"), "utf8"),
      ) as Check;
      const classifier = await load(folder);
      expect(classifier.maxContentTokens).toBe(window);
      const probabilities = await classifier.keepProbabilities(check.content_ids);
      probabilities.forEach((row, i) => {
        const expected = check.keep_probabilities[i] ?? [];
        expect(row.length).toBe(expected.length);
        row.forEach((p, t) => {
          expect(Math.abs(p - (expected[t] ?? Number.NaN))).toBeLessThan(check.tolerance);
        });
      });
    });
  }

  it("gives every sequence the same probabilities whatever it is batched with", async () => {
    const check = JSON.parse(
      readFileSync(path.join(BERT_TINY, "export-check.json"), "utf8"),
    ) as Check;
    const together = await (await load(BERT_TINY)).keepProbabilities(check.content_ids);
    // 16 positions per run: every sequence runs alone, unpadded.
    const alone = await (await load(BERT_TINY, 16)).keepProbabilities(check.content_ids);
    together.forEach((row, i) => {
      row.forEach((p, t) => {
        expect(p).toBeCloseTo(alone[i]?.[t] ?? Number.NaN, 5);
      });
    });
    expect(await (await load(BERT_TINY)).keepProbabilities([])).toEqual([]);
  });

  it("refuses sequences longer than the window", async () => {
    const classifier = await load(XLMR_TINY);
    await expect(classifier.keepProbabilities([new Array(511).fill(5)])).rejects.toThrow(/exceeds/);
  });

  it("reads the framing tokens from tokenizer.json, not from the family's name", () => {
    const bert = JSON.parse(readFileSync(path.join(BERT_TINY, "tokenizer.json"), "utf8"));
    const xlmr = JSON.parse(readFileSync(path.join(XLMR_TINY, "tokenizer.json"), "utf8"));
    expect(readClassifierVocabulary(bert, "bert")).toMatchObject({
      convention: "wordpiece",
      prefixIds: [2],
      suffixIds: [3],
      padId: 0,
    });
    expect(readClassifierVocabulary(xlmr, "xlmr", 1)).toMatchObject({
      convention: "sentencepiece",
      prefixIds: [0],
      suffixIds: [2],
      padId: 1,
    });
    expect(() => readClassifierVocabulary({ ...bert, post_processor: null }, "x")).toThrow(
      ModelLoadError,
    );
    expect(() =>
      readClassifierVocabulary({ ...bert, model: { type: "BPE", vocab: {} }, decoder: null }, "y"),
    ).toThrow(/WordPiece .* or SentencePiece/);
  });

  it("loads a published layout by hub id from the cache, and says what is missing offline", async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), "ctxpress-hub-"));
    const id = "microsoft/llmlingua-2-xlm-roberta-large-meetingbank";
    await expect(OnnxTokenClassifier.load(id, { cacheDir, localOnly: true })).rejects.toThrow(
      /not in the local cache.*config\.json/,
    );
    cpSync(XLMR_TINY, path.join(cacheDir, id), { recursive: true });
    const classifier = await OnnxTokenClassifier.load(id, {
      cacheDir,
      localOnly: true,
      log: () => {},
    });
    loaded.push(classifier);
    expect(classifier.modelId).toBe(id);
    expect(classifier.wordConvention).toBe("sentencepiece");
  });

  it("names the missing files of an incomplete folder", async () => {
    await expect(OnnxTokenClassifier.load(path.join(BERT_TINY, "onnx"))).rejects.toThrow(
      /missing config.json/,
    );
  });
});
