/**
 * Okapi BM25 relevance of each document to the query, a cheap coarse ranker (higher is better).
 *
 * Differs from the reference (rank_bm25's BM25Okapi over text split on spaces): terms are
 * lower-cased letter/digit runs, so "Paris," matches "paris", and idf is Lucene's
 * ln(1 + (N − n + 0.5)/(n + 0.5)), which never goes negative for terms in most documents.
 */

export interface Bm25Parameters {
  readonly k1: number;
  readonly b: number;
}

const DEFAULT_PARAMETERS: Bm25Parameters = { k1: 1.5, b: 0.75 };

export function bm25Terms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function termFrequencies(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

export function bm25Scores(
  documents: readonly string[],
  query: string,
  { k1, b }: Bm25Parameters = DEFAULT_PARAMETERS,
): number[] {
  const documentTerms = documents.map(bm25Terms);
  const frequencies = documentTerms.map(termFrequencies);
  const averageLength =
    documentTerms.reduce((sum, terms) => sum + terms.length, 0) / Math.max(1, documents.length);
  const documentCount = new Map<string, number>();
  for (const counts of frequencies) {
    for (const term of counts.keys()) documentCount.set(term, (documentCount.get(term) ?? 0) + 1);
  }
  const queryTerms = bm25Terms(query);
  return frequencies.map((counts, index) => {
    const lengthNorm = averageLength > 0 ? (documentTerms[index]?.length ?? 0) / averageLength : 0;
    let score = 0;
    for (const term of queryTerms) {
      const tf = counts.get(term) ?? 0;
      if (tf === 0) continue;
      const n = documentCount.get(term) ?? 0;
      const idf = Math.log(1 + (documents.length - n + 0.5) / (n + 0.5));
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + b * lengthNorm));
    }
    return score;
  });
}
