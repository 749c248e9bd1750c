import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadDocuments } from "../../bench/corpus/index.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

/**
 * Runs Debian's python3 (the one with torch) with one torch thread; throws with its output when
 * it fails, returns its stdout otherwise.
 */
export function runPython(args: readonly string[], cwd: string = REPO_ROOT): string {
  const run = spawnSync("/usr/bin/python3", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: "1" },
  });
  if (run.status !== 0) {
    throw new Error(
      `python3 ${args.join(" ")} failed (${run.status}):\n${run.stdout}\n${run.stderr}`,
    );
  }
  return run.stdout;
}

/** A small corpus for smoke runs: the first 40 train and 10 held-out documents as JSON Lines. */
export function writeSmokeCorpus(dataDir: string): void {
  mkdirSync(join(dataDir, "corpus"), { recursive: true });
  for (const [split, count] of [
    ["train", 40],
    ["heldout", 10],
  ] as const) {
    const lines = loadDocuments(split)
      .slice(0, count)
      .map(({ id, source, text }) => JSON.stringify({ id, source, text }));
    writeFileSync(join(dataDir, "corpus", `${split}.jsonl`), `${lines.join("\n")}\n`);
  }
}
