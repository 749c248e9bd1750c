import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { normalizeText } from "../normalize.js";
import type { CorpusDocument } from "../types.js";
import { packageDir } from "./package-dir.js";

const sentencesSchema = z.array(z.string());
/** The package ships shuffled, unrelated sentences; grouping them gives paragraph-sized units. */
const SENTENCES_PER_PARAGRAPH = 6;

/** nlp-corpus: 100 files of 1,000 shuffled sentences from mixed sources (fiction, SMS, law...). */
export function loadNlpCorpus(): CorpusDocument[] {
  const buildsDir = join(packageDir("nlp-corpus", 2), "builds");
  return readdirSync(buildsDir)
    .filter((name) => /^doc-\d+\.json$/.test(name))
    .sort()
    .map((name) => {
      const sentences = sentencesSchema.parse(
        JSON.parse(readFileSync(join(buildsDir, name), "utf8")),
      );
      const paragraphs: string[] = [];
      for (let i = 0; i < sentences.length; i += SENTENCES_PER_PARAGRAPH) {
        paragraphs.push(
          sentences
            .slice(i, i + SENTENCES_PER_PARAGRAPH)
            .map((sentence) => sentence.replace(/\s+/g, " ").trim())
            .join(" "),
        );
      }
      return {
        id: `nlp-corpus/${name.replace(/\.json$/, "")}`,
        source: "nlp-corpus" as const,
        title: `nlp-corpus ${name}`,
        text: normalizeText(paragraphs.join("\n\n")),
      };
    });
}
