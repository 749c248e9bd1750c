/**
 * The AutoCompressor runtime against torch (gist-check.json of the committed tiny model): the
 * summarize graph writes the same vectors segment after segment, the reader reads them as input
 * embeddings and scores text after them as torch did, and generation from the prefilled cache
 * equals greedy decoding the slow way (the whole inputs_embeds sequence re-run for every token).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContextWindowError, ModelConfigError, ModelLoadError } from "../../src/errors/index.js";
import { argmax } from "../../src/model/logits.js";
import { OnnxAutoCompressor } from "../../src/model/summary-compressor.js";
import { readEmbeddingTable } from "../../training/model-folder-files.js";
import { OnnxLm } from "../../training/onnx-lm.js";
import { TINY_MODEL } from "../model/fixtures/tiny-model.js";
import { maxAbsDifference, readGistCheck, TINY_GIST } from "./fixtures.js";

const check = readGistCheck();
let gist: OnnxAutoCompressor;

beforeAll(async () => {
  gist = await OnnxAutoCompressor.load(TINY_GIST);
});

afterAll(async () => {
  await gist.dispose();
});

async function checkVectors(): Promise<Float32Array> {
  let softprompt = new Float32Array(0);
  for (const segment of check.segments) {
    const vectors = await gist.summarize(segment, softprompt);
    softprompt = Float32Array.of(...softprompt, ...vectors);
  }
  return softprompt;
}

describe("OnnxAutoCompressor", () => {
  it("reads κ and the segment length from config.json and names its weights", () => {
    expect(gist.summaryTokens).toBe(check.summary_tokens);
    expect(gist.hiddenSize).toBe(check.hidden_size);
    expect(gist.segmentTokens).toBe(32);
    expect(gist.modelId).toMatch(/^gist-tiny-random@[0-9a-f]{16}$/);
  });

  it("writes torch's summary vectors, the second segment's after the first's", async () => {
    let softprompt = new Float32Array(0);
    for (const [i, segment] of check.segments.entries()) {
      const vectors = await gist.summarize(segment, softprompt);
      expect(vectors).toHaveLength(check.summary_tokens * check.hidden_size);
      expect(maxAbsDifference(vectors, check.summary_vectors[i] ?? [])).toBeLessThan(
        check.tolerance,
      );
      softprompt = Float32Array.of(...softprompt, ...vectors);
    }
  });

  it("scores text after the soft prompt as torch did", async () => {
    const logprobs = await gist.logprobs(await checkVectors(), check.question_ids);
    expect(logprobs[0]).toBeNaN();
    const expected = check.logprobs.slice(1) as number[];
    expect(maxAbsDifference(logprobs.subarray(1), expected)).toBeLessThan(check.tolerance);
  });

  it("scores the same after a long soft prompt read in several runs", async () => {
    const vectors = await checkVectors();
    // 8 copies of the check vectors: 64 rows, read in runs of at most maxLogitsRows.
    const long = new Float32Array(vectors.length * 8);
    for (let i = 0; i < 8; i++) long.set(vectors, i * vectors.length);
    const small = await OnnxAutoCompressor.load(TINY_GIST, { maxLogitsBytes: 8192 * 4 * 5 });
    try {
      const a = await small.logprobs(long, check.question_ids);
      const b = await gist.logprobs(long, check.question_ids);
      expect(maxAbsDifference(a.subarray(1), b.subarray(1))).toBeLessThan(1e-4);
    } finally {
      await small.dispose();
    }
  });

  it("generates from the prefilled cache what slow greedy decoding over inputs_embeds gives", async () => {
    const softprompt = await checkVectors();
    const prompt = gist.tokenizer.decode(check.question_ids);
    const generation = await gist.generate(softprompt, prompt, { maxNewTokens: 6 });
    const rows = softprompt.length / check.hidden_size;
    expect(generation.promptTokens).toBe(rows + check.question_ids.length);

    const { table, hidden } = readEmbeddingTable(TINY_GIST);
    const embeds = await OnnxLm.load(TINY_GIST, "model_embeds.onnx");
    const eos = gist.tokenizer.eosTokenId;
    const ids = [...check.question_ids];
    const slow: number[] = [];
    try {
      for (let step = 0; step < 6; step++) {
        const seq = rows + ids.length;
        const data = new Float32Array(seq * hidden);
        data.set(softprompt);
        ids.forEach((id, i) => {
          data.set(table.subarray(id * hidden, (id + 1) * hidden), (rows + i) * hidden);
        });
        const out = await embeds.step({
          embeds: { data, batch: 1, seq },
          attentionMask: [Array(seq).fill(1)],
        });
        const vocab = out.logits.length / seq;
        const next = argmax(out.logits.subarray((seq - 1) * vocab, seq * vocab));
        if (next === eos) break;
        slow.push(next);
        ids.push(next);
      }
    } finally {
      await embeds.dispose();
    }
    expect(generation.text).toBe(gist.tokenizer.decode(slow));
  });

  it("refuses bad soft prompts and segments that do not fit the window", async () => {
    await expect(gist.summarize([5, 6], new Float32Array(10))).rejects.toThrow(ModelConfigError);
    await expect(gist.summarize([], new Float32Array(0))).rejects.toThrow(ModelConfigError);
    const long = Array.from({ length: gist.contextWindow }, (_, i) => 100 + (i % 50));
    await expect(gist.summarize(long, new Float32Array(0))).rejects.toThrow(ContextWindowError);
    const full = new Float32Array(gist.contextWindow * gist.hiddenSize);
    await expect(gist.generate(full, "Why?", { maxNewTokens: 2 })).rejects.toThrow(
      /summary vectors fill the 512-position window/,
    );
  });

  it.each([
    ["basic", "tolerance"],
    ["all", "fused"],
  ] as const)(
    "runs its int8 graphs (q8, %s optimizations) as torch runs the int8 weights",
    async (optimization, bound) => {
      const variant = check.variants?.q8;
      if (!variant) throw new Error("gist-check.json of the tiny model has no q8 variant");
      const int8 = await OnnxAutoCompressor.load(TINY_GIST, {
        dtype: "q8",
        session: { graphOptimization: optimization },
      });
      try {
        // Its own weights file (onnx/model_quantized.onnx_data), hence its own id.
        expect(int8.modelId).toMatch(/^gist-tiny-random@[0-9a-f]{16}$/);
        expect(int8.modelId).not.toBe(gist.modelId);
        let softprompt = new Float32Array(0);
        for (const [i, segment] of check.segments.entries()) {
          const vectors = await int8.summarize(segment, softprompt);
          expect(maxAbsDifference(vectors, variant.summary_vectors[i] ?? [])).toBeLessThan(
            variant[bound].summary_vectors,
          );
          softprompt = Float32Array.of(...softprompt, ...vectors);
        }
        const logprobs = await int8.logprobs(softprompt, check.question_ids);
        expect(
          maxAbsDifference(logprobs.subarray(1), variant.logprobs.slice(1) as number[]),
        ).toBeLessThan(variant[bound].logprobs);
      } finally {
        await int8.dispose();
      }
    },
  );

  it("loads every graph in the dtype config.json names when the caller names none", async () => {
    const parent = mkdtempSync(path.join(tmpdir(), "ctxpress-gist-q8-"));
    try {
      const folder = path.join(parent, "gist-tiny-random");
      await cp(TINY_GIST, folder, { recursive: true });
      const configFile = path.join(folder, "config.json");
      const config = JSON.parse(readFileSync(configFile, "utf8"));
      config["transformers.js_config"].dtype = "q8";
      writeFileSync(configFile, JSON.stringify(config));
      // Without the float32 graphs, as the shipped gist-5m: nothing may reach for them.
      for (const file of ["model.onnx", "model_embeds.onnx", "summarize.onnx", "model.onnx_data"]) {
        rmSync(path.join(folder, "onnx", file));
      }
      const byConfig = await OnnxAutoCompressor.load(folder);
      const named = await OnnxAutoCompressor.load(TINY_GIST, { dtype: "q8" });
      try {
        expect(byConfig.modelId).toBe(named.modelId);
        const segment = check.segments[0] ?? [];
        const empty = new Float32Array(0);
        expect(await byConfig.summarize(segment, empty)).toEqual(
          await named.summarize(segment, empty),
        );
      } finally {
        await byConfig.dispose();
        await named.dispose();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("refuses a model folder that is not an AutoCompressor", async () => {
    await expect(OnnxAutoCompressor.load(TINY_MODEL)).rejects.toThrow(ModelLoadError);
    await expect(OnnxAutoCompressor.load(TINY_MODEL)).rejects.toThrow(/autocompressor/);
  });
});
