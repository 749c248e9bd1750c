import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type BenchRecord, benchRecordSchema } from "./record.js";

export const RESULTS_FILE = "results.jsonl";
export const MANIFEST_FILE = "run.json";

export interface LoadedResults {
  /** The last record of every key, in file order of their first appearance. */
  readonly records: BenchRecord[];
  /** Lines that could not be read (a run killed mid-write leaves at most one); their cells rerun. */
  readonly unreadableLines: number[];
}

/** Reads results.jsonl; a missing file is an empty run. Later lines of a key replace earlier ones. */
export function readResults(file: string): LoadedResults {
  if (!existsSync(file)) return { records: [], unreadableLines: [] };
  const byKey = new Map<string, BenchRecord>();
  const unreadableLines: number[] = [];
  for (const [index, line] of readFileSync(file, "utf8").split("\n").entries()) {
    if (line.trim() === "") continue;
    let parsed: ReturnType<typeof benchRecordSchema.safeParse>;
    try {
      parsed = benchRecordSchema.safeParse(JSON.parse(line));
    } catch {
      unreadableLines.push(index + 1);
      continue;
    }
    if (parsed.success) byKey.set(parsed.data.key, parsed.data);
    else unreadableLines.push(index + 1);
  }
  return { records: [...byKey.values()], unreadableLines };
}

/** One line per record, written whole and at once, so an interrupted run loses at most one. */
export function appendResult(file: string, record: BenchRecord): void {
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

/**
 * What makes the results of one folder comparable: models, reader settings, prompt format. A
 * folder keeps one configuration; a rerun with another one is refused rather than mixed in.
 */
export interface Manifest {
  readonly version: 1;
  readonly configuration: Record<string, unknown>;
  readonly fingerprint: string;
  readonly createdAt: string;
}

export class ManifestMismatchError extends Error {
  override readonly name = "ManifestMismatchError";
}

/** Creates the folder and its manifest, or checks that an existing manifest has this fingerprint. */
export function openRunFolder(dir: string, manifest: Manifest): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    return;
  }
  const existing = JSON.parse(readFileSync(file, "utf8")) as Partial<Manifest>;
  if (existing.fingerprint !== manifest.fingerprint) {
    const before = existing.configuration ?? {};
    const changed = Object.keys({ ...before, ...manifest.configuration }).filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(manifest.configuration[key]),
    );
    throw new ManifestMismatchError(
      `${dir} holds results of another configuration (${changed
        .map(
          (key) =>
            `${key}: ${JSON.stringify(before[key])} then, ${JSON.stringify(manifest.configuration[key])} now`,
        )
        .join(
          "; ",
        )}). Results of different models or reader settings are not mixed: use another --out folder.`,
    );
  }
}
