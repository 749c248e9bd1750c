import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelConfigError, ModelLoadError } from "../../src/errors/index.js";
import {
  DEFAULT_DECODER_MODEL,
  DEFAULT_SCORER_MODEL,
  PACKAGE_ROOT,
} from "../../src/model/defaults.js";
import { OnnxDecoder } from "../../src/model/onnx-decoder.js";
import { OnnxScorer } from "../../src/model/onnx-scorer.js";
import { OpenAiDecoder } from "../../src/model/openai-decoder.js";
import { createModelProvider } from "../../src/model/provider.js";
import { CachedScorer } from "../../src/model/score-cache.js";
import type { LogProbScorer } from "../../src/model/types.js";
import { VllmScorer } from "../../src/model/vllm-scorer.js";
import { type HttpDouble, sendJson, startHttpDouble } from "./fixtures/http-double.js";
import { TINY_MODEL } from "./fixtures/tiny-model.js";

/** The backend under the score cache the provider wraps every scorer in by default. */
const unwrap = (scorer: LogProbScorer) => (scorer instanceof CachedScorer ? scorer.inner : scorer);

describe("createModelProvider", () => {
  it("defaults to the embedded models, found from the package root", async () => {
    const provider = createModelProvider();
    expect(provider.config.scorer).toMatchObject({
      type: "onnx",
      model: DEFAULT_SCORER_MODEL,
      provider: "cpu",
    });
    expect(provider.config.decoder).toMatchObject({ type: "onnx", model: DEFAULT_DECODER_MODEL });
    const scorer = await provider.scorer();
    expect(unwrap(scorer)).toBeInstanceOf(OnnxScorer);
    expect(scorer.modelId).toBe(DEFAULT_SCORER_MODEL);
    const tokens = scorer.tokenizer.encode("Hello world");
    expect((await scorer.logprobs({ tokens })).every(Number.isFinite)).toBe(true);
    await provider.dispose();
  });

  it("answers with the embedded reader, a model of its own, in its int8 graph", async () => {
    expect(path.relative(PACKAGE_ROOT, DEFAULT_DECODER_MODEL)).toBe(
      path.join("models", "ctxpress-reader"),
    );
    expect(path.relative(PACKAGE_ROOT, DEFAULT_SCORER_MODEL)).toBe(
      path.join("models", "ctxpress-5m"),
    );
    const provider = createModelProvider();
    const [scorer, decoder] = await Promise.all([provider.scorer(), provider.decoder()]);
    expect(decoder).toBeInstanceOf(OnnxDecoder);
    const reader = (decoder as OnnxDecoder).lm;
    expect(reader).not.toBe((unwrap(scorer) as OnnxScorer).lm);
    expect(decoder.modelId).toBe(DEFAULT_DECODER_MODEL);
    expect(reader.folder.onnxPath).toBe(
      path.join(DEFAULT_DECODER_MODEL, "onnx", "model_quantized.onnx"),
    );
    expect(decoder.contextWindow).toBe(2048);
    const answer = await decoder.generate(
      "The pass key is 48213.\n\nWhat is the pass key?\nAnswer:",
      {
        maxNewTokens: 8,
      },
    );
    expect(answer.completionTokens).toBeLessThanOrEqual(8);
    await provider.dispose();
  });

  it("loads each model once, shares one session between scorer and decoder, reloads after dispose", async () => {
    const provider = createModelProvider({
      scorer: { type: "onnx", model: TINY_MODEL, window: 256 },
      decoder: { type: "onnx", model: TINY_MODEL },
    });
    const [scorer, again, decoder] = await Promise.all([
      provider.scorer(),
      provider.scorer(),
      provider.decoder(),
    ]);
    expect(again).toBe(scorer);
    expect(scorer.contextWindow).toBe(256);
    expect(decoder).toBeInstanceOf(OnnxDecoder);
    expect((decoder as OnnxDecoder).lm).toBe((unwrap(scorer) as OnnxScorer).lm);
    await provider.dispose();
    const reloaded = await provider.scorer();
    expect(reloaded).not.toBe(scorer);
    expect((await reloaded.logprobs({ tokens: [5, 6, 7] })).length).toBe(3);
    await provider.dispose();
  });

  it("keeps separate sessions when runtime settings differ", async () => {
    const provider = createModelProvider({
      scorer: { type: "onnx", model: TINY_MODEL, threads: 1 },
      decoder: { type: "onnx", model: TINY_MODEL },
    });
    const [scorer, decoder] = await Promise.all([provider.scorer(), provider.decoder()]);
    expect((decoder as OnnxDecoder).lm).not.toBe((unwrap(scorer) as OnnxScorer).lm);
    await provider.dispose();
  });

  it("rejects invalid configs with the offending field", () => {
    expect(() => createModelProvider({ scorer: { type: "onnx", dtype: "fp8" as "fp16" } })).toThrow(
      ModelConfigError,
    );
    expect(() => createModelProvider({ scorer: { type: "onnx", dtype: "fp8" as "fp16" } })).toThrow(
      /scorer\.dtype/,
    );
    expect(() => createModelProvider({ decoder: { type: "openai", model: "m" } as never })).toThrow(
      /decoder\.baseUrl/,
    );
    expect(() => createModelProvider({ scorer: { type: "gguf" } as never })).toThrow(
      /scorer\.type/,
    );
  });

  it("surfaces load failures, and tries again on the next call", async () => {
    const provider = createModelProvider({ scorer: { type: "onnx", model: "./no/such/model" } });
    await expect(provider.scorer()).rejects.toThrow(ModelLoadError);
    await expect(provider.scorer()).rejects.toThrow(/does not exist/);
  });
});

describe("createModelProvider with remote backends", () => {
  let server: HttpDouble;
  beforeAll(async () => {
    server = await startHttpDouble((_request, response) => {
      sendJson(response, 200, { data: [{ id: "remote", max_model_len: 4096 }] });
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("builds a vLLM scorer and an OpenAI-compatible decoder", async () => {
    const provider = createModelProvider({
      scorer: { type: "vllm", baseUrl: server.url, model: "remote", tokenizer: TINY_MODEL },
      decoder: {
        type: "openai",
        baseUrl: server.url,
        model: "remote",
        apiKey: "k",
        timeoutMs: 5000,
        retries: 1,
      },
    });
    const scorer = await provider.scorer();
    expect(unwrap(scorer)).toBeInstanceOf(VllmScorer);
    expect(scorer.contextWindow).toBe(4096);
    const decoder = await provider.decoder();
    expect(decoder).toBeInstanceOf(OpenAiDecoder);
    expect(decoder.modelId).toBe("remote");
    await provider.dispose();
  });
});
