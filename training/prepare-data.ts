/**
 * Writes the corpus splits as JSON Lines for the Python side of the toolkit:
 *   training/.data/corpus/train.jsonl and heldout.jsonl, one {"id","source","text"} per document.
 * Run: npx tsx training/prepare-data.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDocuments } from "../bench/corpus/index.js";

const outDir = join(dirname(fileURLToPath(import.meta.url)), ".data", "corpus");
mkdirSync(outDir, { recursive: true });
for (const split of ["train", "heldout"] as const) {
  const documents = loadDocuments(split);
  const lines = documents.map(({ id, source, text }) => JSON.stringify({ id, source, text }));
  writeFileSync(join(outDir, `${split}.jsonl`), `${lines.join("\n")}\n`);
  const chars = documents.reduce((sum, document) => sum + document.text.length, 0);
  console.log(
    `${split}: ${documents.length} documents, ${chars} characters -> ${outDir}/${split}.jsonl`,
  );
}
