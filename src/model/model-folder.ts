import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ModelLoadError } from "../errors/index.js";
import { fetchHubFiles, type HubFile, type HubOptions } from "./hub.js";

/**
 * Model folders in the Hugging Face / transformers.js layout:
 *   config.json, tokenizer.json, tokenizer_config.json, [generation_config.json],
 *   onnx/<name><suffix>.onnx [+ .onnx_data], the suffix chosen by dtype.
 * A model is named either by a local folder or by a hub id ("owner/name").
 */

/** transformers.js' dtype → ONNX file-name suffix convention. */
export const DTYPE_SUFFIXES = {
  fp32: "",
  fp16: "_fp16",
  q8: "_quantized",
  int8: "_int8",
  uint8: "_uint8",
  q4: "_q4",
  q4f16: "_q4f16",
  bnb4: "_bnb4",
} as const;

export type ModelDtype = keyof typeof DTYPE_SUFFIXES;

export const MODEL_DTYPES = Object.keys(DTYPE_SUFFIXES) as [ModelDtype, ...ModelDtype[]];

export interface ModelFolderOptions extends HubOptions {
  /**
   * Which ONNX variant to load. Default: the one the folder's config.json names
   * (`"transformers.js_config": { "dtype": ... }`, see {@link folderDtype}), else fp32
   * (`onnx/model.onnx`).
   */
  readonly dtype?: ModelDtype;
  /** Base name of the ONNX file inside `onnx/` (default "model"). */
  readonly fileName?: string;
}

export interface ModelFolder {
  /** What the user passed: the folder path or the hub id. */
  readonly id: string;
  /** Absolute local folder holding the files. */
  readonly dir: string;
  readonly source: "local" | "hub";
}

export interface OnnxModelFolder extends ModelFolder {
  readonly onnxPath: string;
  /** The variant loaded: the caller's, or the folder's default. */
  readonly dtype: ModelDtype;
  /** Parsed config.json. */
  readonly config: unknown;
}

const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json"] as const;
const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

function looksLikePath(model: string): boolean {
  return (
    path.isAbsolute(model) ||
    model.startsWith("./") ||
    model.startsWith("../") ||
    model === "." ||
    existsSync(model)
  );
}

function onnxFile(fileName: string, dtype: ModelDtype): string {
  return `onnx/${fileName}${DTYPE_SUFFIXES[dtype]}.onnx`;
}

function listOnnxFiles(dir: string): string {
  const onnxDir = path.join(dir, "onnx");
  if (!existsSync(onnxDir)) return "none (no onnx/ folder)";
  const files = readdirSync(onnxDir).filter((f) => f.endsWith(".onnx"));
  return files.length > 0 ? files.join(", ") : "none";
}

function checkLocalFolder(model: string, files: readonly string[]): string {
  const dir = path.resolve(model);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelLoadError(`Model folder ${dir} does not exist (from "${model}")`, {
      missingFiles: [...files],
    });
  }
  const missing = files.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0) {
    const onnxHint = missing.some((f) => f.startsWith("onnx/"))
      ? ` ONNX files present: ${listOnnxFiles(dir)}.`
      : "";
    throw new ModelLoadError(`Model folder ${dir} is missing ${missing.join(", ")}.${onnxHint}`, {
      missingFiles: missing,
    });
  }
  return dir;
}

async function resolveFolder(
  model: string,
  files: readonly HubFile[],
  options: HubOptions,
): Promise<ModelFolder> {
  if (looksLikePath(model)) {
    const required = files.filter((f) => f.required).map((f) => f.path);
    return { id: model, dir: checkLocalFolder(model, required), source: "local" };
  }
  if (!HUB_ID.test(model) || model.includes("..")) {
    throw new ModelLoadError(
      `"${model}" is neither an existing model folder nor a valid hub id ("owner/name")`,
    );
  }
  return { id: model, dir: await fetchHubFiles(model, files, options), source: "hub" };
}

/** Resolves a folder holding a tokenizer (tokenizer.json + tokenizer_config.json). */
export function resolveTokenizerFolder(
  model: string,
  options: HubOptions = {},
): Promise<ModelFolder> {
  return resolveFolder(
    model,
    TOKENIZER_FILES.map((file) => ({ path: file, required: true })),
    options,
  );
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new ModelLoadError(`Could not read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function transformersJsConfig(config: unknown): Record<string, unknown> | undefined {
  const jsConfig = (config as Record<string, unknown> | null)?.["transformers.js_config"];
  return jsConfig !== null && typeof jsConfig === "object"
    ? (jsConfig as Record<string, unknown>)
    : undefined;
}

/**
 * The dtype a model folder asks for when the caller names none, by transformers.js' convention:
 * `"transformers.js_config": { "dtype": "q8" }` in config.json, or per graph
 * `{ "dtype": { "<base name>": "q8" } }`; fp32 when config.json says nothing (or is missing: the
 * full resolution then reports it). The embedded ctxpress-5m names its int8 graph this way, so
 * the package ships without the 21 MB fp32 weights (see models/ctxpress-5m/README.md).
 */
async function folderDtype(
  model: string,
  fileName: string,
  options: HubOptions,
): Promise<ModelDtype> {
  const dir = looksLikePath(model)
    ? path.resolve(model)
    : (await resolveFolder(model, [{ path: "config.json", required: false }], options)).dir;
  const configFile = path.join(dir, "config.json");
  if (!existsSync(configFile)) return "fp32";
  const setting = transformersJsConfig(await readJson(configFile))?.dtype;
  const named =
    setting !== null && typeof setting === "object"
      ? (setting as Record<string, unknown>)[fileName]
      : setting;
  if (named === undefined) return "fp32";
  if (!MODEL_DTYPES.includes(named as ModelDtype)) {
    throw new ModelLoadError(
      `${configFile} names dtype ${JSON.stringify(named)} for ${fileName}; expected one of ${MODEL_DTYPES.join(", ")}`,
    );
  }
  return named as ModelDtype;
}

/**
 * External-data weight files declared by transformers.js' convention in config.json:
 * `"transformers.js_config": { "use_external_data_format": true | <chunks> | { "<file>.onnx" |
 * "<base name>": <chunks> } }`, chunk i > 0 being named `<file>.onnx_data_<i>`.
 */
function externalDataFiles(config: unknown, onnxPath: string, baseName: string): string[] {
  const setting = transformersJsConfig(config)?.use_external_data_format;
  const fileName = path.posix.basename(onnxPath);
  const value =
    setting !== null && typeof setting === "object"
      ? ((setting as Record<string, unknown>)[fileName] ??
        (setting as Record<string, unknown>)[baseName])
      : setting;
  const chunks = value === true ? 1 : typeof value === "number" ? value : 0;
  return Array.from({ length: chunks }, (_, i) => `${onnxPath}_data${i === 0 ? "" : `_${i}`}`);
}

/**
 * Resolves a causal LM folder: config, tokenizer and the ONNX file of the requested dtype (or
 * the folder's own default, see {@link folderDtype}), downloading from the hub when given a hub
 * id (and allowed to).
 */
export async function resolveOnnxModelFolder(
  model: string,
  options: ModelFolderOptions = {},
): Promise<OnnxModelFolder> {
  const fileName = options.fileName ?? "model";
  const dtype = options.dtype ?? (await folderDtype(model, fileName, options));
  const onnx = onnxFile(fileName, dtype);
  const base = await resolveFolder(
    model,
    [
      { path: "config.json", required: true },
      ...TOKENIZER_FILES.map((file) => ({ path: file, required: true })),
      { path: "generation_config.json", required: false },
      { path: onnx, required: true },
    ],
    options,
  );
  const config = await readJson(path.join(base.dir, "config.json"));
  const external = externalDataFiles(config, onnx, fileName);
  if (external.length > 0) {
    await resolveFolder(
      model,
      external.map((file) => ({ path: file, required: true })),
      options,
    );
  }
  return { ...base, onnxPath: path.join(base.dir, onnx), dtype, config };
}
