import { gzipSync } from "node:zlib";

/**
 * Normalised compression distance of each document to the query (lower is more similar), a
 * model-free coarse ranker: NCD(x, y) = (C(x y) − min(C(x), C(y))) / max(C(x), C(y)), C being
 * the gzip size at level 9 and "x y" the two texts joined by a space.
 */

function compressedSize(text: string): number {
  return gzipSync(Buffer.from(text, "utf8"), { level: 9 }).length;
}

export function gzipDistances(documents: readonly string[], query: string): number[] {
  const querySize = compressedSize(query);
  return documents.map((document) => {
    const documentSize = compressedSize(document);
    const jointSize = compressedSize(`${document} ${query}`);
    return (jointSize - Math.min(documentSize, querySize)) / Math.max(documentSize, querySize);
  });
}
