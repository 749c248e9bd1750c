import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_EMBEDDER_MODEL } from "../../src/model/defaults.js";
import { OnnxEmbedder } from "../../src/model/embedder.js";
import { createModelProvider } from "../../src/model/provider.js";

interface ExportCheck {
  readonly texts: string[];
  readonly input_ids: number[][];
  readonly embeddings: number[][];
  readonly tolerance: number;
}

const norm = (vector: Float32Array) => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
const maxDifference = (a: ArrayLike<number> = [], b: ArrayLike<number> = []) =>
  Math.max(...Array.from(a, (value, d) => Math.abs(value - (b[d] ?? Number.NaN))));

describe("OnnxEmbedder (models/landmark-embedder)", () => {
  let embedder: OnnxEmbedder;

  beforeAll(async () => {
    embedder = await OnnxEmbedder.load(DEFAULT_EMBEDDER_MODEL, { session: { intraOpThreads: 1 } });
  });
  afterAll(async () => embedder.dispose());

  it("matches torch's vectors from the export and tokenizes as training did", async () => {
    const check = JSON.parse(
      await readFile(path.join(DEFAULT_EMBEDDER_MODEL, "export-check.json"), "utf8"),
    ) as ExportCheck;
    expect(check.texts.map((text) => embedder.tokenizer.encode(text))).toEqual(check.input_ids);
    const vectors = await embedder.embed(check.texts);
    vectors.forEach((vector, row) => {
      expect(vector).toHaveLength(embedder.dimensions);
      expect(maxDifference(check.embeddings[row], vector)).toBeLessThan(check.tolerance);
    });
  });

  it("gives unit vectors that do not depend on the batch they were padded in", async () => {
    const texts = [
      "What is the pass key?",
      "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.",
      "x",
    ];
    const together = await embedder.embed(texts);
    const alone = await Promise.all(texts.map(async (text) => (await embedder.embed([text]))[0]));
    together.forEach((vector, row) => {
      expect(norm(vector)).toBeCloseTo(1, 5);
      expect(maxDifference(alone[row], vector)).toBeLessThan(1e-5);
    });
    // Small runs: the batching by length splits these three into several ONNX runs.
    const small = await OnnxEmbedder.load(DEFAULT_EMBEDDER_MODEL, { batchTokens: 8 });
    const split = await small.embed(texts);
    split.forEach((vector, row) => {
      expect(maxDifference(together[row], vector)).toBeLessThan(1e-5);
    });
    await small.dispose();
  });

  it("cuts inputs longer than maxTokens", async () => {
    const ids = embedder.tokenizer.encode("word ".repeat(embedder.maxTokens + 50));
    const [long, cut] = await embedder.embedTokens([ids, ids.slice(0, embedder.maxTokens)]);
    expect(maxDifference(cut, long)).toBeLessThan(1e-6);
  });

  it("names its weights in its id: altered weights are another model", async () => {
    const copy = await mkdtemp(path.join(tmpdir(), "ctxpress-embedder-"));
    try {
      await cp(DEFAULT_EMBEDDER_MODEL, copy, { recursive: true });
      const same = await OnnxEmbedder.load(copy);
      const weights = path.join(copy, "onnx", "model.onnx_data");
      const bytes = await readFile(weights);
      bytes.writeFloatLE(bytes.readFloatLE(4096) + 0.5, 4096);
      await writeFile(weights, bytes);
      const altered = await OnnxEmbedder.load(copy);
      expect(embedder.modelId).toMatch(/^landmark-embedder@[0-9a-f]{16}$/);
      expect(same.modelId.split("@")[1]).toBe(embedder.modelId.split("@")[1]);
      expect(altered.modelId).not.toBe(same.modelId);
      await Promise.all([same.dispose(), altered.dispose()]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("is the models config's default embedder, loaded once per provider", async () => {
    const provider = createModelProvider({ embedder: { type: "onnx", threads: 1 } });
    const first = await provider.embedder();
    expect(await provider.embedder()).toBe(first);
    expect(first.modelId).toBe(embedder.modelId);
    await provider.dispose();
    expect(() => createModelProvider({ embedder: { type: "onnx", batchTokens: 0 } })).toThrow(
      /embedder/,
    );
  });
});

describe("OnnxEmbedder over a feature-extraction export (last_hidden_state, [CLS] … [SEP])", () => {
  const folder = fileURLToPath(new URL("./fixtures/mean-pool-encoder", import.meta.url));
  /** The fixture's hidden state of a token (training/landmark/make_test_encoder.py). */
  const hidden = (id: number) => [1, id / 1000, id % 7, id % 3];

  it("frames each input with the tokenizer's special tokens and mean-pools real tokens only", async () => {
    const encoder = await OnnxEmbedder.load(folder);
    try {
      expect(encoder.dimensions).toBe(4);
      expect(encoder.maxTokens).toBe(30); // 32 positions less [CLS] and [SEP]
      const texts = ["a longer text with several pieces", "short"];
      const vectors = await encoder.embed(texts);
      texts.forEach((text, row) => {
        const framed = [2, ...encoder.tokenizer.encode(text), 3];
        const mean = [0, 1, 2, 3].map(
          (d) => framed.reduce((sum, id) => sum + (hidden(id)[d] ?? 0), 0) / framed.length,
        );
        const length = Math.hypot(...mean);
        expect(
          maxDifference(
            mean.map((value) => value / length),
            vectors[row],
          ),
        ).toBeLessThan(1e-5);
      });
      expect(encoder.modelId).toMatch(/^mean-pool-encoder@[0-9a-f]{16}$/);
    } finally {
      await encoder.dispose();
    }
  });
});
