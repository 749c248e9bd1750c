import { describe, expect, it } from "vitest";
import { CompressionInputError } from "../../src/errors/index.js";
import { compress, compressThenAnswer } from "../../src/sdk/in-process.js";

const contexts = [
  "The lighthouse keeper counted the ships every evening. ".repeat(12),
  "The passkey is 48213.",
];

describe("in-process SDK (embedded models, no Redis)", () => {
  it("compresses, then answers with the decoder, reporting both steps' costs", async () => {
    const result = await compressThenAnswer(
      { contexts, question: "What is the passkey?" },
      { compression: { method: "longllmlingua", rate: 0.5 }, generation: { maxNewTokens: 4 } },
    );
    expect(result.compression.stats.counts.compressedTokens).toBeLessThan(
      result.compression.stats.counts.originalTokens,
    );
    expect(result.prompt.endsWith("\nAnswer:")).toBe(true);
    expect(result.generation.completionTokens).toBeLessThanOrEqual(4);
    expect(result.timingsMs.total).toBeCloseTo(result.timingsMs.compress + result.timingsMs.decode);
  });

  it("reports progress and refuses bad generation settings as input errors", async () => {
    const stages: string[] = [];
    await compress(
      { contexts },
      { method: "llmlingua" },
      { onProgress: ({ stage }) => stages.push(stage) },
    );
    expect(stages.length).toBeGreaterThan(0);
    await expect(
      compressThenAnswer(
        { contexts, question: "?" },
        { compression: { method: "llmlingua" }, generation: { maxNewTokens: 0 } },
      ),
    ).rejects.toBeInstanceOf(CompressionInputError);
  });
});
