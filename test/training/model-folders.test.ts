/**
 * Every model folder we ship must honour the export contract: the tokenizer loads in
 * transformers.js and reproduces the training-side token ids, and ONNX Runtime reproduces the
 * per-token log-probs torch recorded at export (export-check.json), with left padding, with the
 * KV cache, and through the inputs_embeds graph; transformers.js itself can generate with it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEmbeddingTable, readExportCheck } from "../../training/model-folder-files.js";
import { greedyGenerate, logSoftmaxAt, OnnxLm, tokenLogprobs } from "../../training/onnx-lm.js";
import { absDifferences, exportCheckDifference } from "../../training/verify-export.js";

env.allowRemoteModels = false;

const MODELS_DIR = resolve(import.meta.dirname, "../../models");
const folders = readdirSync(MODELS_DIR)
  .map((name) => join(MODELS_DIR, name))
  .filter((dir) => existsSync(join(dir, "export-check.json")) && isCausalLm(dir));

/** Our decoder folders; other folders under models/ (e.g. token classifiers) have other checks. */
function isCausalLm(dir: string): boolean {
  const configPath = join(dir, "config.json");
  return (
    existsSync(configPath) && JSON.parse(readFileSync(configPath, "utf8")).model_type === "llama"
  );
}

describe.each(folders)("model folder %s", (folder) => {
  const check = readExportCheck(folder);
  // A folder may ship its int8 graphs only (models/gist-5m: the weight budget has no room for its
  // float32 graphs); the float32 checks then have nothing to run, the variant checks still do.
  const fp32 = existsSync(join(folder, "onnx", "model.onnx"));
  const itFp32 = it.runIf(fp32);
  let lm: OnnxLm;
  beforeAll(async () => {
    if (fp32) lm = await OnnxLm.load(folder);
  });
  afterAll(async () => {
    await lm?.dispose();
  });

  it("tokenizes the check text exactly as the training side did, and decodes it back", async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(folder);
    expect(tokenizer.encode(check.text)).toEqual(check.input_ids);
    expect(tokenizer.decode(check.input_ids.slice(1))).toBe(check.text);
  });

  itFp32("reproduces torch's log-probs within the recorded tolerance", async () => {
    expect((await exportCheckDifference(folder)).max).toBeLessThan(check.tolerance);
  });

  itFp32("gives a left-padded row the same log-probs as the unpadded one", async () => {
    const short = check.input_ids.slice(0, -7);
    const [, padded] = await tokenLogprobs(lm, [check.input_ids, short]);
    expect(padded).toHaveLength(short.length);
    expect(
      absDifferences(padded as Float64Array, check.logprobs.slice(0, short.length)).max,
    ).toBeLessThan(check.tolerance);
  });

  itFp32("continues from the KV cache as if the text had been read at once", async () => {
    const ids = check.input_ids;
    const split = Math.floor(ids.length / 2);
    const first = await lm.step({
      ids: [ids.slice(0, split)],
      attentionMask: [Array(split).fill(1)],
    });
    const second = await lm.step({
      ids: [ids.slice(split)],
      attentionMask: [Array(ids.length).fill(1)],
      past: first.present,
    });
    const vocab = lm.config.vocab_size;
    const logprobs = ids.map((id, i) => {
      if (i === 0) return Number.NaN;
      const source = i - 1 < split ? first : second;
      const row = i - 1 < split ? i - 1 : i - 1 - split;
      return logSoftmaxAt(source.logits, row * vocab, vocab, id);
    });
    expect(absDifferences(logprobs, check.logprobs).max).toBeLessThan(check.tolerance);
  });

  itFp32("reads inputs_embeds built from the exported embedding table like input_ids", async () => {
    const { table, vocab, hidden } = readEmbeddingTable(folder);
    expect([vocab, hidden]).toEqual([lm.config.vocab_size, lm.config.hidden_size]);
    const ids = check.input_ids;
    const data = new Float32Array(ids.length * hidden);
    ids.forEach((id, i) => {
      data.set(table.subarray(id * hidden, (id + 1) * hidden), i * hidden);
    });
    const embedsLm = await OnnxLm.load(folder, "model_embeds.onnx");
    const out = await embedsLm.step({
      embeds: { data, batch: 1, seq: ids.length },
      attentionMask: [Array(ids.length).fill(1)],
    });
    await embedsLm.dispose();
    const logprobs = ids.map((id, i) =>
      i === 0 ? Number.NaN : logSoftmaxAt(out.logits, (i - 1) * vocab, vocab, id),
    );
    expect(absDifferences(logprobs, check.logprobs).max).toBeLessThan(check.tolerance);
  });

  it.each(Object.entries(check.variants ?? {}))(
    "variant %s computes what its weights define, and stays close with ONNX Runtime's fusions",
    async (file, variant) => {
      // "basic" runs the graph as written (an int8 graph may quantize activations itself, hence
      // its recorded tolerance) against torch running the same weights on float activations.
      const exact = await exportCheckDifference(folder, file, { optimization: "basic" });
      expect(exact.max).toBeLessThan(variant.tolerance);
      // "all" (the default) may fuse into int8 kernels (DynamicQuantizeMatMul, MatMulNBits).
      const fused = await exportCheckDifference(folder, file, { optimization: "all" });
      expect(fused.max).toBeLessThan(variant.fused.max);
      expect(fused.mean).toBeLessThan(variant.fused.mean);
    },
  );

  itFp32(
    "generates with transformers.js exactly what greedy decoding on the raw session gives",
    async () => {
      const model = await AutoModelForCausalLM.from_pretrained(folder, { dtype: "fp32" });
      const prompt = check.input_ids.slice(0, 12);
      const ids = BigInt64Array.from(prompt, (id) => BigInt(id));
      const output = (await model.generate({
        input_ids: new Tensor("int64", ids, [1, prompt.length]),
        attention_mask: new Tensor("int64", new BigInt64Array(prompt.length).fill(1n), [
          1,
          prompt.length,
        ]),
        max_new_tokens: 6,
        do_sample: false,
        eos_token_id: [],
      })) as { tolist(): bigint[][] };
      const fromTransformersJs = output.tolist()[0]?.slice(prompt.length).map(Number);
      expect(fromTransformersJs).toEqual(await greedyGenerate(lm, prompt, 6));
      await model.dispose();
    },
  );
});
