import { resolve } from "node:path";
import { AutoTokenizer, env } from "@huggingface/transformers";
import { beforeAll, describe, expect, it } from "vitest";

env.allowRemoteModels = false;

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
const SPECIAL = ["<|endoftext|>", "<|pad|>", "<|landmark|>", "<|summary|>", "<|gist|>"];

describe("the project tokenizer (models/_tokenizer)", () => {
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    tokenizer = await AutoTokenizer.from_pretrained(
      resolve(import.meta.dirname, "../../models/_tokenizer"),
    );
  });

  it("has 8,192 tokens and the reserved special tokens at fixed ids", () => {
    const vocab = tokenizer.get_vocab() as Map<string, number> | Record<string, number>;
    const size = vocab instanceof Map ? vocab.size : Object.keys(vocab).length;
    expect(size).toBe(8192);
    SPECIAL.forEach((token, id) => {
      expect(tokenizer.encode(token, { add_special_tokens: false })).toEqual([id]);
    });
    expect(tokenizer.bos_token_id).toBe(0);
    expect(tokenizer.eos_token_id).toBe(0);
    expect(tokenizer.pad_token_id).toBe(1);
  });

  it.each([
    "Plain English, with punctuation; and 'quotes'.",
    "Numbers: 40297, 3.14159 and 1,000,000.",
    "Unicode: café naïve Ærø — “curly” ‘quotes’ 中文 日本語 😀👍🏽",
    "  leading spaces,\ttabs,\n\nblank lines and trailing spaces   ",
    "code: if (x <= 10) { return x ** 2; } // done",
  ])("round-trips %j", (text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: false });
    expect(tokenizer.decode(ids)).toBe(text);
  });

  it("prepends <|endoftext|> as BOS only when asked for special tokens", () => {
    const plain = tokenizer.encode("Hello world", { add_special_tokens: false });
    expect(tokenizer.encode("Hello world")).toEqual([0, ...plain]);
  });

  it("splits numbers into single digits", () => {
    const ids = tokenizer.encode("The pass key is 40297.", { add_special_tokens: false });
    const pieces = ids.map((id) => tokenizer.decode([id]));
    expect(pieces.slice(-6)).toEqual([" 4", "0", "2", "9", "7", "."]);
  });
});
