import { describe, expect, it } from "vitest";
import { bm25Scores } from "../../src/compressors/rankers/bm25.js";
import { gzipDistances } from "../../src/compressors/rankers/gzip.js";
import { meanNll } from "../../src/compressors/rankers/language-model.js";
import { rankByScore } from "../../src/compressors/rankers/ranking.js";

const documents = [
  "The harvest festival draws farmers from the whole valley every autumn.",
  "Marie Curie won the Nobel Prize in Physics in 1903 and in Chemistry in 1911.",
  "Trains leave the central station every twenty minutes on weekdays.",
];
const question = "In which year did Marie Curie win the Nobel Prize in Chemistry?";

describe("coarse rankers", () => {
  it("bm25 ranks the document sharing the question's rare terms first", () => {
    const scores = bm25Scores(documents, question);
    expect(rankByScore(scores, "higher").order[0]).toBe(1);
    expect(scores[1]).toBeGreaterThan(3 * Math.max(scores[0] ?? 0, scores[2] ?? 0));
  });

  it("bm25 matches terms case-insensitively, ignoring punctuation", () => {
    const [score] = bm25Scores(["PARIS, the capital."], "paris");
    expect(score).toBeGreaterThan(0);
  });

  it("gzip distance ranks the document the question compresses best with first", () => {
    const distances = gzipDistances(documents, question);
    expect(rankByScore(distances, "lower").order[0]).toBe(1);
    for (const distance of distances) expect(distance).toBeGreaterThan(0);
  });

  it("rankByScore puts NaN last and keeps document order on ties", () => {
    expect(rankByScore([2, Number.NaN, 1, 2], "higher").order).toEqual([0, 3, 2, 1]);
    expect(rankByScore([2, Number.NaN, 1, 2], "lower").order).toEqual([2, 0, 3, 1]);
  });

  it("meanNll averages −log p over the scorable tokens", () => {
    expect(meanNll(Float32Array.from([Number.NaN, -1, -3]))).toBe(2);
    expect(meanNll(Float32Array.from([Number.NaN]))).toBeNaN();
  });
});
