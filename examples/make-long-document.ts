/**
 * Builds examples/long-document.txt: held-out Moby-Dick chapters (public domain; held out, so the
 * shipped models never trained on them) with one planted fact, and examples/long-document.json
 * with the question whose answer is that fact. Deterministic: same packages, same bytes.
 *
 *   npx tsx examples/make-long-document.ts
 */
import { writeFileSync } from "node:fs";
import { loadDocuments } from "../bench/corpus/index.js";

const TARGET_CHARS = 120_000;
/** Where the fact goes, as a fraction of the paragraphs: deep inside, not at an edge. */
const FACT_DEPTH = 0.62;
const FACT =
  "Before the Pequod sailed, the harbour master of Nantucket wrote the ship's secret passkey in his ledger: the passkey is 48213.";
const QUESTION = "What is the ship's secret passkey written in the harbour master's ledger?";
const ANSWER = "48213";

const chapters = loadDocuments("heldout").filter((document) => document.source === "moby-dick");
const paragraphs: string[] = [];
const used: string[] = [];
for (const chapter of chapters) {
  if (paragraphs.join("\n\n").length >= TARGET_CHARS) break;
  used.push(chapter.id);
  paragraphs.push(...chapter.text.split(/\n{2,}/).filter((paragraph) => paragraph.trim() !== ""));
}
paragraphs.splice(Math.round(paragraphs.length * FACT_DEPTH), 0, FACT);
const text = `${paragraphs.join("\n\n")}\n`;

const here = new URL(".", import.meta.url);
writeFileSync(new URL("long-document.txt", here), text);
writeFileSync(
  new URL("long-document.json", here),
  `${JSON.stringify(
    {
      document: "long-document.txt",
      source: `Moby-Dick (Herman Melville, 1851, public domain), held-out chapters: ${used.join(", ")}`,
      question: QUESTION,
      answer: ANSWER,
      fact: FACT,
      characters: text.length,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote examples/long-document.txt (${text.length} characters)`);
