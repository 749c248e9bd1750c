import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ModelLoadError } from "../errors/model-load-error.js";

/**
 * The embedded models a fresh clone runs with, offline. Paths are relative to the package root,
 * never the working directory, so the CLI and workers find them from anywhere.
 * Scorer and reader are two models trained by training/: the scorer wants low perplexity on prose
 * (models/ctxpress-5m/README.md), the reader wants retrieval from its context
 * (models/ctxpress-reader/README.md).
 */
const SCORER_FOLDER = "models/ctxpress-5m";
/** The decoder that answers from the compressed prompt. */
const DECODER_FOLDER = "models/ctxpress-reader";
/** LLMLingua-2 token classifier (trained by training/llmlingua2/). */
const CLASSIFIER_FOLDER = "models/lingua2-bert-mini";
/** Landmark-retrieval embedder (trained by training/landmark/). */
const EMBEDDER_FOLDER = "models/landmark-embedder";
/**
 * AutoCompressor of gist compression: the scorer (ctxpress-5m) extended with summary tokens
 * (training/gist/), shipped int8 only (models/gist-5m/README.md). It reads its own summary
 * vectors, so it never depends on DECODER_FOLDER.
 */
const GIST_FOLDER = "models/gist-5m";

/** The folder holding ctxpress' package.json (found upwards from here: works from src/ and dist/). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "ctxpress") {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new ModelLoadError(`ctxpress package root not found above ${from}`);
    }
  }
}

export const PACKAGE_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));

export const DEFAULT_SCORER_MODEL = path.join(PACKAGE_ROOT, SCORER_FOLDER);
export const DEFAULT_DECODER_MODEL = path.join(PACKAGE_ROOT, DECODER_FOLDER);
export const DEFAULT_CLASSIFIER_MODEL = path.join(PACKAGE_ROOT, CLASSIFIER_FOLDER);
export const DEFAULT_EMBEDDER_MODEL = path.join(PACKAGE_ROOT, EMBEDDER_FOLDER);
export const DEFAULT_GIST_MODEL = path.join(PACKAGE_ROOT, GIST_FOLDER);
