import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ModelConfigError, RemoteModelError } from "../../src/errors/index.js";
import { CausalLm } from "../../src/model/causal-lm.js";
import { OnnxScorer } from "../../src/model/onnx-scorer.js";
import { VllmScorer, type VllmScorerOptions } from "../../src/model/vllm-scorer.js";
import { type HttpDouble, sendJson, startHttpDouble } from "./fixtures/http-double.js";
import { longText, maxDifference, TINY_MODEL } from "./fixtures/tiny-model.js";

const SAME = 1e-4;

/**
 * A vLLM stand-in that really runs the tiny model: prompt log-probs of token-id prompts in
 * either of vLLM's two formats. Remote and local scoring of the same model must then agree.
 */
let lm: CausalLm;
let local: OnnxScorer;
let promptScorer: OnnxScorer;
let server: HttpDouble;
let brokenReply: unknown = null;
let reportedWindow: number | undefined = 512;
let ids: number[];

beforeAll(async () => {
  lm = await CausalLm.load(TINY_MODEL);
  // The vLLM scorer slides overlapping windows past the context window (it cannot trim a remote
  // KV cache), so it is compared with the local scorer's windowed plan, not its cache stream.
  local = new OnnxScorer(lm, { cacheStream: false });
  // Scores a prompt exactly as given (the client already put BOS in).
  promptScorer = new OnnxScorer(lm, { addBos: false });
  ids = lm.tokenizer.encode(longText(400));
  server = await startHttpDouble(async (request, response) => {
    if (request.method === "GET" && request.path === "/v1/models") {
      sendJson(response, 200, {
        object: "list",
        data: [
          {
            id: "tiny",
            object: "model",
            ...(reportedWindow ? { max_model_len: reportedWindow } : {}),
          },
        ],
      });
      return;
    }
    if (brokenReply !== null) {
      sendJson(response, 200, brokenReply);
      return;
    }
    const body = JSON.parse(request.body) as {
      prompt: number[][];
      echo?: boolean;
      prompt_logprobs?: number;
    };
    const scores = await promptScorer.logprobsBatch(body.prompt.map((tokens) => ({ tokens })));
    const choices = body.prompt.map((prompt, index) => {
      const logprobs = Array.from(scores[index] as Float32Array, (v) =>
        Number.isNaN(v) ? null : v,
      );
      return body.echo
        ? {
            index,
            text: "x",
            // vLLM echoes the prompt, then the generated token.
            logprobs: { tokens: [], token_logprobs: [...logprobs, -1.5], top_logprobs: [] },
            finish_reason: "length",
          }
        : {
            index,
            text: "x",
            logprobs: null,
            prompt_logprobs: logprobs.map((lp, j) =>
              lp === null
                ? null
                : {
                    [String(prompt[j])]: { logprob: lp, rank: 3, decoded_token: "t" },
                    "7": { logprob: -0.1, rank: 1 },
                  },
            ),
            finish_reason: "length",
          };
    });
    sendJson(response, 200, { id: "cmpl-1", object: "text_completion", model: "tiny", choices });
  });
});

beforeEach(() => {
  server.requests.length = 0;
  brokenReply = null;
  reportedWindow = 512;
});

afterAll(async () => {
  await server.close();
  await lm.dispose();
});

const create = (options: Partial<VllmScorerOptions> = {}) =>
  VllmScorer.create({
    baseUrl: `${server.url}/v1`,
    model: "tiny",
    tokenizer: TINY_MODEL,
    backoffMs: 1,
    ...options,
  });

describe("VllmScorer", () => {
  it("asks the server for its context window and uses the local tokenizer", async () => {
    const scorer = await create({ apiKey: "sk-vllm" });
    expect(scorer.contextWindow).toBe(512);
    expect(scorer.tokenizer.encode("The pass key")).toEqual(lm.tokenizer.encode("The pass key"));
    expect(server.requests[0]).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-vllm");
  });

  it.each(["echo", "prompt_logprobs"] as const)(
    "agrees with the local ONNX scorer (%s), long inputs and batches included",
    async (logprobsMode) => {
      const scorer = await create({ logprobsMode, batchSize: 3 });
      const items = [
        { tokens: ids.slice(0, 40) },
        { tokens: ids.slice(100, 900), condition: ids.slice(60, 100) },
        { tokens: ids.slice(7, 9), condition: [ids[3] as number] },
        { tokens: [] },
      ];
      expect(items[1]?.tokens.length).toBeGreaterThan(512);
      const remote = await scorer.logprobsBatch(items);
      const expected = await local.logprobsBatch(items);
      remote.forEach((r, i) => {
        expect(maxDifference(r, expected[i] as Float32Array)).toBeLessThan(SAME);
      });
      const completions = server.requests.filter((r) => r.path === "/v1/completions");
      for (const request of completions) {
        const body = JSON.parse(request.body);
        expect(body.model).toBe("tiny");
        expect(body.max_tokens).toBe(1);
        expect(body.prompt.length).toBeLessThanOrEqual(3);
        expect(body.prompt.every((p: number[]) => p.length <= 512 && p[0] === 0)).toBe(true);
        if (logprobsMode === "echo") expect(body).toMatchObject({ echo: true, logprobs: 1 });
        else expect(body).toMatchObject({ prompt_logprobs: 1 });
      }
    },
  );

  it("streams by re-sending the kept context, agreeing with the ONNX stream", async () => {
    const scorer = await create({ contextWindow: 512 });
    const remote = scorer.stream(ids.slice(0, 5));
    const onnx = local.stream(ids.slice(0, 5));
    for (let at = 5; at < 700; at += 60) {
      const segment = ids.slice(at, at + 60);
      const [a, b] = [await remote.score(segment), await onnx.score(segment)];
      expect(maxDifference(a, b)).toBeLessThan(SAME);
      const keep = segment.map((_, i) => (i * 5 + at) % 3 !== 0);
      remote.commit(keep);
      onnx.commit(keep);
    }
  });

  it("rejects a reply without log-probs, without retrying", async () => {
    const scorer = await create({ contextWindow: 512 });
    brokenReply = { choices: [{ index: 0, text: "x", finish_reason: "length" }] };
    const error = await scorer.logprobs({ tokens: ids.slice(0, 10) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteModelError);
    expect((error as Error).message).toMatch(/unexpected response[\s\S]*logprobs/);
    expect(server.requests.filter((r) => r.path === "/v1/completions")).toHaveLength(1);

    brokenReply = { choices: [{ index: 0, logprobs: { token_logprobs: [null, -1] } }] };
    await expect(scorer.logprobs({ tokens: ids.slice(0, 10) })).rejects.toThrow(
      /returned 2 log-probs for prompt 0 of 11 tokens/,
    );
  });

  it("needs a context window when the server reports none", async () => {
    reportedWindow = undefined;
    await expect(create()).rejects.toThrow(ModelConfigError);
    await expect(create()).rejects.toThrow(/set contextWindow/);
    await expect(create({ contextWindow: 256 })).resolves.toBeInstanceOf(VllmScorer);
  });
});
