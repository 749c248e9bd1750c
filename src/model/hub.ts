import { createWriteStream } from "node:fs";
import { access, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { env } from "@huggingface/transformers";
import { ModelLoadError } from "../errors/index.js";

/**
 * Downloads model files from the Hugging Face Hub into transformers.js' file cache.
 *
 * transformers.js does not export its file loader, and its fetches have no timeout (a
 * black-holed network hangs forever). So we fetch ourselves, but with transformers.js' own
 * settings (`env.remoteHost`, `env.remotePathTemplate`, `env.cacheDir`) and its cache layout
 * (`<cacheDir>/<model>/<file>`, `<cacheDir>/<model>/<revision>/<file>` for other revisions):
 * files either of us downloaded are found by the other, and everything is then loaded from that
 * local folder. `HF_TOKEN` is sent as a bearer token, as transformers.js does.
 */
export interface HubOptions {
  readonly revision?: string;
  /** Defaults to transformers.js' `env.cacheDir`. */
  readonly cacheDir?: string;
  /** Never touch the network; only the cache. */
  readonly localOnly?: boolean;
  /** Aborts a download that receives nothing for this long (connect included). */
  readonly timeoutMs?: number;
}

export interface HubFile {
  readonly path: string;
  readonly required: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** The folder where the files of `modelId` live (or will live) in the cache. */
export function hubCacheFolder(modelId: string, options: HubOptions = {}): string {
  const cacheDir = options.cacheDir ?? env.cacheDir;
  if (!cacheDir) {
    throw new ModelLoadError("transformers.js has no file cache directory (env.cacheDir)");
  }
  const revision = options.revision ?? "main";
  return revision === "main"
    ? path.resolve(cacheDir, modelId)
    : path.resolve(cacheDir, modelId, revision);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function fileUrl(modelId: string, file: string, revision: string): string {
  const repoPath = env.remotePathTemplate
    .replaceAll("{model}", modelId)
    .replaceAll("{revision}", encodeURIComponent(revision));
  return new URL(repoPath + file, env.remoteHost).toString();
}

function authHeaders(): Record<string, string> {
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Downloads one file; resolves false on 404 (absent), throws on anything else that fails. */
async function download(url: string, target: string, timeoutMs: number): Promise<boolean> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), timeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const partial = `${target}.part-${process.pid}`;
  try {
    const response = await fetch(url, { headers: authHeaders(), signal: controller.signal });
    if (response.status === 404) return false;
    if (!response.ok || !response.body) {
      throw new ModelLoadError(
        `HTTP ${response.status}${response.status === 401 ? " (missing, private or gated repo)" : ""}`,
      );
    }
    await mkdir(path.dirname(target), { recursive: true });
    const body = Readable.fromWeb(response.body);
    body.on("data", touch);
    await pipeline(body, createWriteStream(partial));
    await rename(partial, target);
    return true;
  } catch (error) {
    await rm(partial, { force: true });
    if (controller.signal.aborted) {
      throw new ModelLoadError(`no data for ${timeoutMs} ms (timed out)`, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/**
 * Makes sure the listed files of a hub repo are in the local cache and returns the cache folder.
 * Once every required file is cached nothing is fetched (so cached models load offline);
 * optional files absent from the repo are skipped; a missing required file, a network failure
 * or a timeout throws a `ModelLoadError` that names the files and the cache folder.
 */
export async function fetchHubFiles(
  modelId: string,
  files: readonly HubFile[],
  options: HubOptions = {},
): Promise<string> {
  const folder = hubCacheFolder(modelId, options);
  const revision = options.revision ?? "main";
  const absent: HubFile[] = [];
  for (const file of files) {
    if (!(await exists(path.join(folder, file.path)))) absent.push(file);
  }
  // A model whose required files are all cached is used as it is, offline included: optional
  // files are only fetched along with required ones.
  const toFetch = absent.some((f) => f.required) && !options.localOnly ? absent : [];
  const missing = options.localOnly ? absent.filter((f) => f.required).map((f) => f.path) : [];
  for (const file of toFetch) {
    const url = fileUrl(modelId, file.path, revision);
    let found: boolean;
    try {
      found = await download(
        url,
        path.join(folder, file.path),
        options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
    } catch (error) {
      throw new ModelLoadError(
        `Could not download ${file.path} of hub model "${modelId}" from ${url} (${describe(error)}). ` +
          `Without internet access, pass a local model folder instead, or put the files in ${folder}.`,
        { missingFiles: [file.path], cause: error },
      );
    }
    if (!found && file.required) missing.push(file.path);
  }
  if (missing.length > 0) {
    throw new ModelLoadError(
      options.localOnly
        ? `Hub model "${modelId}" is not in the local cache (${folder}): missing ${missing.join(", ")}. ` +
            "Local-only loading was requested, so nothing was downloaded."
        : `Hub model "${modelId}" (revision ${revision}) has no ${missing.join(", ")}.`,
      { missingFiles: missing },
    );
  }
  return folder;
}
