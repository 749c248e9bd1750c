import { describe, expect, it } from "vitest";
import { type CompressOptionsInput, recover, runCompression } from "../../src/compressors/index.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { TestScorer, testModels } from "../helpers/test-scorer.js";

const scorer = new TestScorer();
const env = { models: testModels(scorer) };

const question = "What is the secret code of the silver lighthouse keeper?";
const needle =
  "The silver lighthouse keeper kept a secret code, and the secret code of the keeper was 4417. " +
  "Nobody else in the harbour knew the code of the silver lighthouse.";
const NEEDLE_AT = 6;

/** Ten held-out paragraphs with the answer document at NEEDLE_AT. */
function documents(): string[] {
  const docs = heldOutParagraphs(9, 300);
  docs.splice(NEEDLE_AT, 0, needle);
  return docs;
}

function run(options: Omit<Extract<CompressOptionsInput, { method: "longllmlingua" }>, "method">) {
  return runCompression(
    { contexts: documents(), question },
    { method: "longllmlingua", ...options },
    env,
  );
}

describe("longllmlingua", () => {
  it("ranks the answer document first and puts it first with reorder=sort (the default)", async () => {
    const result = await run({ rate: 0.5 });
    expect(result.contexts[0]?.index).toBe(NEEDLE_AT);
    expect(result.prompt.endsWith(`\n\n${question}`)).toBe(true);
    const requested = 0.5 * result.stats.counts.originalTokens;
    expect(result.stats.counts.originalTokens).toBeGreaterThanOrEqual(500);
    expect(Math.abs(result.stats.counts.compressedTokens - requested)).toBeLessThanOrEqual(
      0.1 * requested,
    );
  });

  it.each(["bm25", "gzip"] as const)(
    "ranks the answer document first with the %s ranker",
    async (rankMethod) => {
      const result = await run({ rate: 0.5, rankMethod });
      expect(result.contexts[0]?.index).toBe(NEEDLE_AT);
    },
  );

  it("ranks by the question's NLL after each document (\"after\"), or the document's after the question", async () => {
    for (const conditionInQuestion of ["after", "before"] as const) {
      const result = await run({ rate: 0.5, conditionInQuestion });
      expect(result.contexts[0]?.index).toBe(NEEDLE_AT);
    }
  });

  it("keeps the document order with reorder=original and both edges best with two_stage", async () => {
    const original = await run({ rate: 0.6, reorder: "original" });
    const order = original.contexts.map((context) => context.index);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const twoStage = await run({ rate: 0.6, reorder: "two_stage" });
    expect(twoStage.contexts[0]?.index).toBe(NEEDLE_AT);
  });

  it("gives the best-ranked document a larger keep ratio (dynamic ratio)", async () => {
    const result = await run({
      rate: 0.4,
      dynamicRatio: 0.3,
      useContextLevelFilter: true,
      contextBudget: "*10",
    });
    const [best, ...rest] = result.contexts;
    const ratio = (context: (typeof result.contexts)[number]) =>
      context.compressedTokens / context.originalTokens;
    expect(best?.index).toBe(NEEDLE_AT);
    const worst = rest.at(-1);
    expect(best && ratio(best)).toBeGreaterThan((worst && ratio(worst) + 0.25) ?? 1);
  });

  it("contrastive scores (conditional PMI) keep more of the question's words", async () => {
    const questionWords = new Set(question.toLowerCase().match(/[a-z]+/g));
    const keptQuestionWords = async (conditionCompare: boolean) => {
      const result = await run({ rate: 0.3, conditionCompare, dynamicRatio: 0 });
      const answer = result.contexts.find((context) => context.index === NEEDLE_AT);
      return (answer?.text.toLowerCase().match(/[a-z]+/g) ?? []).filter((word) =>
        questionWords.has(word),
      ).length;
    };
    expect(await keptQuestionWords(true)).toBeGreaterThan(await keptQuestionWords(false));
  });

  it("drops low-ranked documents at the context level", async () => {
    const result = await run({ rate: 0.2 });
    expect(result.contexts.length).toBeLessThan(10);
    expect(result.contexts.map((context) => context.index)).toContain(NEEDLE_AT);
  });

  it("requires a question", async () => {
    await expect(
      runCompression({ contexts: documents() }, { method: "longllmlingua" }, env),
    ).rejects.toThrow(/non-empty question is required/);
  });
});

describe("recover", () => {
  const tokenizer = scorer.tokenizer;

  it("restores the original words between matched response words", () => {
    const original = "The capital of France is Paris, a city of light and art.";
    const compressed = "capital France Paris city light";
    expect(recover(tokenizer, original, compressed, "I think France Paris is right")).toBe(
      "I think France is Paris is right",
    );
  });

  it("leaves words that are not in the compressed prompt alone", () => {
    expect(recover(tokenizer, "alpha beta gamma", "alpha gamma", "delta epsilon")).toBe(
      "delta epsilon",
    );
  });

  it("maps a response on a real compression back to the original spans", async () => {
    const result = await runCompression(
      { contexts: [needle], question },
      { method: "longllmlingua", rate: 0.5, conditionCompare: false },
      env,
    );
    const compressedWords = result.contexts[0]?.text.trim().split(/\s+/) ?? [];
    const quote = compressedWords.slice(2, 6).join(" ");
    const recovered = recover(tokenizer, needle, result.prompt, quote);
    expect(needle).toContain(recovered);
    expect(recovered.length).toBeGreaterThanOrEqual(quote.length);
  });
});
