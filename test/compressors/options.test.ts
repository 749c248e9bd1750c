import { describe, expect, it } from "vitest";
import {
  METHODS,
  parseCompressInput,
  parseCompressOptions,
  requiredModel,
  validateCompressRequest,
} from "../../src/compressors/index.js";
import { findNonTextCharacter } from "../../src/compressors/text-validation.js";
import { CompressionInputError } from "../../src/errors/index.js";

function inputError(work: () => unknown): CompressionInputError {
  try {
    work();
  } catch (error) {
    if (error instanceof CompressionInputError) return error;
    throw error;
  }
  throw new Error("expected a CompressionInputError");
}

describe("text validation", () => {
  it("accepts text with tabs, newlines, form feeds, emoji and CJK", () => {
    expect(findNonTextCharacter("a\tb\r\nc\fd 😀 漢字 é")).toBeNull();
  });

  it.each([
    ["a\u0000b", /U\+0000 at offset 1/],
    ["\u001b[31mred", /U\+001B at offset 0/],
    ["x\u0085", /U\+0085/],
    ["bad \ud83d end", /unpaired surrogate U\+D83D at offset 4/],
    ["\ude00", /unpaired surrogate U\+DE00/],
    ["\uffff", /non-character U\+FFFF/],
  ])("rejects %j", (text, message) => {
    expect(findNonTextCharacter(text)).toMatch(message);
  });
});

describe("input schema", () => {
  it("accepts strings and typed segments, turning segments into tagged text", () => {
    const input = parseCompressInput({
      contexts: [
        "plain",
        {
          segments: [
            { text: "keep", compress: false },
            { text: " squeeze", rate: 0.3 },
          ],
        },
      ],
      question: "Why?",
      extra: "dropped",
    });
    expect(input).toEqual({
      contexts: [
        "plain",
        "<llmlingua, compress=False>keep</llmlingua><llmlingua, rate=0.3> squeeze</llmlingua>",
      ],
      question: "Why?",
    });
  });

  it("allows an empty context among others, but not an entirely empty input", () => {
    expect(parseCompressInput({ contexts: ["", "text"] }).contexts).toEqual(["", "text"]);
    expect(inputError(() => parseCompressInput({ contexts: ["", "  \n"] })).message).toMatch(
      /input\.contexts: every context is empty/,
    );
    expect(inputError(() => parseCompressInput({ contexts: [] })).message).toMatch(
      /at least one context/,
    );
  });

  it("names the context and offset of non-text characters", () => {
    const error = inputError(() => parseCompressInput({ contexts: ["fine", "bin\u0000ary"] }));
    expect(error.message).toMatch(
      /input\.contexts\.1: contains the control character U\+0000 at offset 3/,
    );
    expect(error.issues[0]?.path).toEqual(["input", "contexts", 1]);
  });

  it("enforces the configured document size, for instruction and question too", () => {
    const limits = { maxDocumentChars: 10 };
    expect(parseCompressInput({ contexts: ["0123456789"] }, limits).contexts).toHaveLength(1);
    expect(
      inputError(() => parseCompressInput({ contexts: ["01234567890"] }, limits)).message,
    ).toMatch(/longer than the limit of 10 characters/);
    expect(
      inputError(() => parseCompressInput({ contexts: ["a"], question: "x".repeat(11) }, limits))
        .message,
    ).toMatch(/input\.question/);
  });

  it("rejects typed segments holding tags or bad rates", () => {
    expect(
      inputError(() =>
        parseCompressInput({ contexts: [{ segments: [{ text: "<llmlingua>x</llmlingua>" }] }] }),
      ).message,
    ).toMatch(/must not contain <llmlingua> tags/);
    expect(
      inputError(() => parseCompressInput({ contexts: [{ segments: [{ text: "x", rate: 2 }] }] }))
        .message,
    ).toMatch(/input\.contexts\.0\.segments\.0\.rate/);
  });
});

describe("options schemas", () => {
  it("fills in each method's defaults", () => {
    expect(parseCompressOptions({ method: "llmlingua" })).toMatchObject({
      method: "llmlingua",
      rate: 0.5,
      iterativeSize: 200,
      contextBudget: "+100",
      reorder: "original",
      dynamicRatio: 0,
      keepSplit: false,
    });
    expect(parseCompressOptions({ method: "longllmlingua" })).toMatchObject({
      method: "longllmlingua",
      rate: 0.55,
      reorder: "sort",
      dynamicRatio: 0.3,
      conditionInQuestion: "after",
      conditionCompare: true,
      rankMethod: "longllmlingua",
    });
  });

  it("lists the known methods for an unknown one", () => {
    const error = inputError(() => parseCompressOptions({ method: "zip" }));
    expect(error.message).toBe(
      `Invalid compression request: options.method: unknown method "zip"; known methods: ${METHODS.join(", ")}`,
    );
    expect(inputError(() => parseCompressOptions({})).message).toMatch(/unknown method undefined/);
    expect(METHODS).toEqual(expect.arrayContaining(["llmlingua", "longllmlingua"]));
  });

  it("names the model each method starts with, for workers to load before a job", () => {
    expect(Object.fromEntries(METHODS.map((method) => [method, requiredModel(method)]))).toEqual({
      llmlingua: "scorer",
      longllmlingua: "scorer",
      llmlingua2: "tokenClassifier",
      truncate: "scorer",
      random: "scorer",
      "selective-context": "scorer",
      "bm25-blocks": "scorer",
      landmark: "embedder",
      "landmark+longllmlingua": "embedder",
      gist: "summaryCompressor",
    });
    expect(requiredModel("zip")).toBe("scorer");
  });

  it.each([
    [
      { method: "llmlingua", rate: 0 },
      /options\.rate: rate is the fraction of tokens kept, in \(0, 1\]/,
    ],
    [{ method: "llmlingua", rate: 1.2 }, /options\.rate/],
    [{ method: "llmlingua", targetTokens: 10.5 }, /options\.targetTokens/],
    [{ method: "llmlingua", targetTokens: 0 }, /options\.targetTokens/],
    [{ method: "llmlingua", contextBudget: "+x" }, /a context budget is/],
    [{ method: "llmlingua", targetTokenizer: "gpt2" }, /options\.targetTokenizer/],
    [{ method: "llmlingua", ratte: 0.3 }, /Unrecognized key.*ratte/],
    [{ method: "llmlingua", rankMethod: "bm25" }, /Unrecognized key.*rankMethod/],
  ])("rejects %j", (options, message) => {
    expect(inputError(() => parseCompressOptions(options)).message).toMatch(message);
  });

  it("accepts rate 1 and targetTokens", () => {
    expect(parseCompressOptions({ method: "llmlingua", rate: 1, targetTokens: 300 })).toMatchObject(
      {
        rate: 1,
        targetTokens: 300,
      },
    );
  });
});

describe("validateCompressRequest", () => {
  it("requires a question for longllmlingua", () => {
    const error = inputError(() =>
      validateCompressRequest({ contexts: ["a"] }, { method: "longllmlingua" }),
    );
    expect(error.message).toMatch(/input\.question: .*non-empty question is required/);
  });

  it("checks forced context ids against the contexts", () => {
    expect(
      inputError(() =>
        validateCompressRequest(
          { contexts: ["a", "b"] },
          { method: "llmlingua", forceContextIds: [2] },
        ),
      ).message,
    ).toMatch(/options\.forceContextIds: context ids 2 are out of range/);
  });

  it("returns parsed input and options", () => {
    const valid = validateCompressRequest(
      { contexts: ["a"], question: "q" },
      { method: "longllmlingua", rate: 0.4 },
    );
    expect(valid.options).toMatchObject({ method: "longllmlingua", rate: 0.4 });
    expect(valid.input.contexts).toEqual(["a"]);
  });

  it("errors are recognisable by name across process boundaries", () => {
    const error = inputError(() => parseCompressOptions({ method: "nope" }));
    const serialised = Object.assign(new Error(error.message), { name: error.name });
    expect(serialised instanceof CompressionInputError).toBe(true);
    expect(new Error("other") instanceof CompressionInputError).toBe(false);
  });
});
