/**
 * What package.json's `files` packs of models/: exactly the ONNX files the embedded defaults load
 * (each default's graph in the dtype its config.json names, gist-5m's three graphs, and every
 * weights file those graphs read), so a graph the package needs cannot go missing and no fp32
 * weights ride along by accident. Only the file list is read (`npm pack --dry-run
 * --ignore-scripts`: no build, no tarball); test/package/installed-package.test.ts installs the
 * real package and runs it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_CLASSIFIER_MODEL,
  DEFAULT_DECODER_MODEL,
  DEFAULT_EMBEDDER_MODEL,
  DEFAULT_GIST_MODEL,
  DEFAULT_SCORER_MODEL,
} from "../../src/model/defaults.js";
import { resolveOnnxModelFolder } from "../../src/model/model-folder.js";
import { REPO_ROOT } from "../helpers/training-run.js";

function packedFiles(): string[] {
  const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  if (pack.status !== 0) throw new Error(`npm pack --dry-run failed: ${pack.stderr}`);
  const [result] = JSON.parse(pack.stdout) as { files: { path: string }[] }[];
  return (result?.files ?? []).map((file) => file.path);
}

/**
 * The external-data files a graph reads: ONNX stores each tensor's `location` as plain text in
 * the protobuf, so the names can be read off the bytes without an ONNX parser.
 */
function externalData(graph: string): string[] {
  const text = readFileSync(graph).toString("latin1");
  const names = new Set(text.match(/[\w.-]+\.onnx_data(?:_\d+)?/g) ?? []);
  return [...names].map((name) => path.join(path.dirname(graph), name));
}

/** The graphs the defaults load, as the loaders resolve them, with the dtype each loads. */
async function defaultGraphs(): Promise<{ file: string; dtype: string }[]> {
  const graphs: { file: string; dtype: string }[] = [];
  for (const model of [
    DEFAULT_SCORER_MODEL,
    DEFAULT_DECODER_MODEL,
    DEFAULT_CLASSIFIER_MODEL,
    DEFAULT_EMBEDDER_MODEL,
  ]) {
    const folder = await resolveOnnxModelFolder(model);
    graphs.push({ file: folder.onnxPath, dtype: folder.dtype });
  }
  // OnnxAutoCompressor: the reader, then the summarize and inputs_embeds graphs in its dtype.
  const reader = await resolveOnnxModelFolder(DEFAULT_GIST_MODEL);
  const summarize = (reader.config as { autocompressor: { summarize_graph: string } })
    .autocompressor.summarize_graph;
  graphs.push({ file: reader.onnxPath, dtype: reader.dtype });
  for (const fileName of [path.basename(summarize, ".onnx"), "model_embeds"]) {
    const folder = await resolveOnnxModelFolder(DEFAULT_GIST_MODEL, {
      dtype: reader.dtype,
      fileName,
    });
    graphs.push({ file: folder.onnxPath, dtype: folder.dtype });
  }
  return graphs;
}

describe("the models the npm package carries", () => {
  it("are exactly the graphs the defaults load and the weights they read, int8 but the embedder", async () => {
    const packed = packedFiles();
    const graphs = await defaultGraphs();
    const needed = new Set<string>();
    for (const { file } of graphs) {
      for (const needs of [file, ...externalData(file)]) {
        needed.add(path.relative(REPO_ROOT, needs));
      }
    }
    const packedOnnx = packed.filter((file) => /^models\/.*\.onnx(_data(_\d+)?)?$/.test(file));
    expect(packedOnnx.sort()).toEqual([...needed].sort());
    // int8 wherever an int8 variant ships; the landmark embedder has none (docs/PACKAGE.md).
    const dtypes = graphs.map(({ file, dtype }) => [path.relative(REPO_ROOT, file), dtype]);
    expect(dtypes.filter(([, dtype]) => dtype !== "q8")).toEqual([
      ["models/landmark-embedder/onnx/model.onnx", "fp32"],
    ]);
    // gist-5m's three graphs read one shared weights file.
    expect(needed).toContain("models/gist-5m/onnx/model_quantized.onnx_data");
  }, 60_000);
});
