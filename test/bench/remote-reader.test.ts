import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readResults } from "../../bench/runner/results-file.js";
import { runSuite } from "../../bench/runner/suite-run.js";
import { suiteSchema } from "../../bench/suites/index.js";
import { type HttpDouble, sendJson, startHttpDouble } from "../model/fixtures/http-double.js";

const model = (name: string) => fileURLToPath(new URL(`../../models/${name}`, import.meta.url));
let server: HttpDouble;

beforeAll(async () => {
  // An OpenAI-compatible server whose model reads perfectly: it answers with the pass key
  // whenever the prompt still holds it.
  server = await startHttpDouble((request, response) => {
    const body = JSON.parse(request.body) as { messages: { content: string }[] };
    const prompt = body.messages.at(-1)?.content ?? "";
    const key = prompt.match(/The pass key is (\d+)\. Remember it/)?.[1];
    sendJson(response, 200, {
      choices: [
        {
          message: { content: key ? `The pass key is ${key}.` : "I cannot tell." },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: prompt.length, completion_tokens: 6 },
    });
  });
});

afterAll(async () => {
  await server.close();
});

describe("bench with an OpenAI-compatible reader", () => {
  it("answers uncompressed prompts of any length, and reports gist n/a instead of compressing for it", async () => {
    const out = mkdtempSync(join(tmpdir(), "ctxpress-bench-remote-"));
    const suite = suiteSchema.parse({
      name: "remote",
      description: "a remote reader with no known window",
      rates: [0.5],
      groups: [{ task: "passkey", lengths: [900], depths: [0.2, 0.8], samples: 1 }],
    });
    const result = await runSuite({
      suite,
      out,
      models: {
        scorer: { type: "onnx", model: model("tiny-random") },
        decoder: { type: "openai", baseUrl: server.url, model: "reader-double" },
        gist: { type: "onnx", model: model("gist-tiny-random") },
      },
      methods: ["none", "truncate", "gist"],
      command: "ctxpress bench (remote test)",
    });
    const { records } = readResults(join(out, "results.jsonl"));
    const by = (method: string) => records.filter((r) => r.method === method);
    // No window is known for the remote model: the 900-token prompt is sent whole.
    expect(by("none").map((r) => [r.status, r.metrics?.score])).toEqual([
      ["ok", 1],
      ["ok", 1],
    ]);
    // Head truncation at 1/2 keeps the needle at depth 0.2, not at 0.8; the reader is perfect.
    expect(by("truncate").map((r) => [r.depth, r.metrics?.retention, r.metrics?.score])).toEqual([
      [0.2, 1, 1],
      [0.8, 0, 0],
    ]);
    expect(by("gist").map((r) => r.status)).toEqual(["n/a", "n/a"]);
    expect(by("gist")[0]?.reason).toMatch(/summary vectors|input embeddings/);
    // Counted in the scorer's tokenizer, and the report says so.
    expect(by("none")[0]?.metrics?.reader.tokenizer).toMatch(/scorer's; the decoder's is remote/);
    expect(result.summary).toMatch(/gist +n\/a/);
    // Every request to the server was an answer; gist never reached it.
    expect(server.requests).toHaveLength(4);
  });
});
