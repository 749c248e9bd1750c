import { describe, expect, it } from "vitest";
import { splitIntoBlocks } from "../../src/compressors/landmark/blocking.js";
import { bm25BlockScores, fuseLexical } from "../../src/compressors/landmark/lexical-scores.js";
import { TestTokenizer } from "../helpers/test-tokenizer.js";

describe("lexical block scores", () => {
  it("score the blocks of all contexts as one collection", () => {
    const tokenizer = new TestTokenizer();
    const texts = [
      "The sea was calm. Ahab watched the whale. The crew slept.",
      "Nothing here. Ahab and Velkaro met at the port of Varnow.",
    ];
    const blocks = texts.map((text) => splitIntoBlocks(text, tokenizer.encodeWithSpans(text), 6));
    const scores = bm25BlockScores(texts, blocks, "Where did Velkaro meet Ahab?");
    expect(scores.map((own) => own.length)).toEqual(blocks.map((own) => own.length));
    const best = Math.max(...scores.flat());
    const bestText = texts.flatMap((text, c) =>
      (blocks[c] ?? [])
        .filter((_, b) => scores[c]?.[b] === best)
        .map((block) => text.slice(block.start, block.end)),
    );
    expect(bestText.join("")).toContain("Velkaro");
  });

  it("add weight × BM25 scaled by the best block to the cosines; weight 0 changes nothing", () => {
    const cosines = [Float32Array.from([0.5, 0.2]), Float32Array.from([0.1])];
    const lexical = [[0, 4], [2]];
    expect(fuseLexical(cosines, lexical, 0).map((own) => Array.from(own))).toEqual(
      cosines.map((own) => Array.from(own)),
    );
    const fused = fuseLexical(cosines, lexical, 0.5).map((own) => Array.from(own));
    expect(fused[0]?.[0]).toBeCloseTo(0.5, 6);
    expect(fused[0]?.[1]).toBeCloseTo(0.7, 6);
    expect(fused[1]?.[0]).toBeCloseTo(0.35, 6);
    // No lexical match anywhere: the cosines stand.
    expect(fuseLexical(cosines, [[0, 0], [0]], 1)[0]?.[0]).toBeCloseTo(0.5, 6);
  });
});
