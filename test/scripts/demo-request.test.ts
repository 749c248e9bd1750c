import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_MAX_NEW_TOKENS, demoCompression } from "../../scripts/demo-request.js";
import { DEFAULT_DECODER_MODEL, PACKAGE_ROOT } from "../../src/model/defaults.js";
import { HfTokenizer } from "../../src/model/tokenizer.js";

const example = JSON.parse(
  readFileSync(path.join(PACKAGE_ROOT, "examples", "long-document.json"), "utf8"),
) as { question: string; answer: string };

describe("npm run demo's request", () => {
  it("asks for landmark, the method the benchmark found to keep facts, under the reader's window", () => {
    const request = demoCompression(example.question, 2048);
    expect(request.method).toBe("landmark");
    // The achieved size may overshoot its target by ~10%: it must still leave room for the answer.
    expect(Math.ceil(request.targetTokens * 1.1) + DEMO_MAX_NEW_TOKENS).toBeLessThanOrEqual(2048);
    expect(request.targetTokens).toBeGreaterThan(1024);
  });

  it("leaves the reader room for the answer as it was trained to write it, and its end", async () => {
    const tokenizer = await HfTokenizer.load({
      id: DEFAULT_DECODER_MODEL,
      dir: DEFAULT_DECODER_MODEL,
      source: "local",
    });
    // Training targets are ` ${answer}.` followed by <|endoftext|> (bench/tasks/prompt.ts).
    const answerTokens = tokenizer.encode(` ${example.answer}.`).length;
    expect(answerTokens + 1).toBeLessThanOrEqual(DEMO_MAX_NEW_TOKENS);
  });
});
