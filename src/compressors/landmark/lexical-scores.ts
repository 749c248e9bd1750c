import { bm25Scores } from "../rankers/bm25.js";
import type { Block } from "./blocking.js";

/**
 * BM25 of the question against every block of every context, the blocks of all contexts being
 * one collection (so that idf is shared). One array of scores per context, in block order.
 */
export function bm25BlockScores(
  texts: readonly string[],
  blocks: readonly (readonly Block[])[],
  question: string,
): number[][] {
  const scores = bm25Scores(
    blocks.flatMap((own, c) => own.map((block) => texts[c]?.slice(block.start, block.end) ?? "")),
    question,
  );
  let offset = 0;
  return blocks.map((own) => {
    const slice = scores.slice(offset, offset + own.length);
    offset += own.length;
    return slice;
  });
}

/**
 * Landmark cosines plus `weight` × BM25 scaled to [0, 1] by the best block's: a lexical match
 * (an invented name, a key) lifts a block the embedding ranks too low. Weight 0 leaves the
 * cosines as they are.
 */
export function fuseLexical(
  cosines: readonly ArrayLike<number>[],
  lexical: readonly (readonly number[])[],
  weight: number,
): Float32Array[] {
  const best = Math.max(0, ...lexical.flat());
  return cosines.map((own, c) =>
    Float32Array.from(own, (cosine, b) =>
      best > 0 ? cosine + (weight * (lexical[c]?.[b] ?? 0)) / best : cosine,
    ),
  );
}
