import type { TargetTokenizerName } from "./options.js";

/**
 * Token counting in a target LLM's tokenizer (gpt-tokenizer's cl100k_base / o200k_base), for
 * stats only. Special-token strings in the text count as text: a document that mentions
 * "<|endoftext|>" is not an error. Encodings load on first use; o200k's tables are large.
 */
export type TokenCounter = (text: string) => number;

const NO_SPECIAL_TOKENS = { disallowedSpecial: new Set<string>() };

export async function targetTokenCounter(name: TargetTokenizerName): Promise<TokenCounter> {
  const encoding =
    name === "cl100k_base"
      ? await import("gpt-tokenizer/encoding/cl100k_base")
      : await import("gpt-tokenizer/encoding/o200k_base");
  return (text) => encoding.countTokens(text, NO_SPECIAL_TOKENS);
}
