import { defaultMethod } from "../src/cli/flags.js";

/** The longest answer the demo asks for: the reader answers " 48213." in 6 tokens, then ends. */
export const DEMO_MAX_NEW_TOKENS = 12;

/**
 * The achieved size tracks the target within ~10% (block retrieval can overshoot by part of a
 * block), so the demo aims this far below the room the decoder's window leaves.
 */
const WINDOW_SHARE = 0.85;

/**
 * What `npm run demo` asks the workers for: the CLI's default method for a question (landmark,
 * the method the benchmark found to keep facts: {@link defaultMethod}), and a token budget under
 * the decoder's window with room for the answer, so the compressed prompt always fits the reader.
 *
 * @param question - the demo's question (the default method depends on there being one).
 * @param decoderWindow - the decoder's context window in tokens (the embedded reader's: 2,048).
 */
export function demoCompression(
  question: string,
  decoderWindow: number,
): { method: "landmark" | "llmlingua"; targetTokens: number } {
  return {
    method: defaultMethod(question),
    targetTokens: Math.floor((decoderWindow - DEMO_MAX_NEW_TOKENS) * WINDOW_SHARE),
  };
}
