/**
 * Half of the reader's task rows are laid out as the product prompts it (training/task-lines.ts,
 * "pipeline"): this checks that `ctxpress answer`, the workers behind `npm run demo` and the REST
 * API's /v1/answer (all through compressThenAnswer / answerCompression) really hand the embedded
 * reader that layout, token for token after its BOS.
 */
import { afterAll, describe, expect, it } from "vitest";
import { FILLER_HAYSTACK, passkey } from "../../bench/tasks/index.js";
import { DEFAULT_DECODER_MODEL } from "../../src/model/defaults.js";
import { defaultModels } from "../../src/model/models.js";
import { HfTokenizer } from "../../src/model/tokenizer.js";
import { compressThenAnswer } from "../../src/pipeline/in-process.js";
import { taskPrompt } from "../../training/task-lines.js";

describe("the prompt the embedded reader gets", () => {
  afterAll(() => defaultModels().dispose());

  it("is the pipeline layout of its training rows, after one BOS", async () => {
    const tokenizer = await HfTokenizer.load({
      id: DEFAULT_DECODER_MODEL,
      dir: DEFAULT_DECODER_MODEL,
      source: "local",
    });
    const countTokens = (text: string) => tokenizer.encode(text).length;
    const sample = passkey({
      seed: 7,
      lengthTokens: 300,
      depth: 0.5,
      countTokens,
      haystack: FILLER_HAYSTACK,
    });
    const { instruction, contexts, question } = sample;
    const result = await compressThenAnswer(
      { instruction, contexts, question },
      // Keeps every token: the layout, not a compressor, is under test.
      { compression: { method: "truncate", rate: 1 }, generation: { maxNewTokens: 8 } },
    );
    expect(result.prompt).toBe(taskPrompt(sample, "pipeline"));
    expect(result.prompt.endsWith(`${question}\nAnswer:`)).toBe(true);
    expect(result.generation.modelId).toBe(DEFAULT_DECODER_MODEL);
    expect(result.generation.promptTokens).toBe(1 + countTokens(result.prompt));
  });
});
