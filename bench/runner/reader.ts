import type { SummaryVectorProvider } from "../../src/compressors/gist/summary-vectors.js";
import type { SummaryVectors } from "../../src/compressors/types.js";
import { OnnxDecoder } from "../../src/model/onnx-decoder.js";
import type { Decoder, Generation, SummaryCompressor, Tokenizer } from "../../src/model/types.js";
import { readSoftPrompt } from "../../src/sdk/gist-answer.js";

/** The model that answers from the (compressed) prompt, as the benchmark uses it. */
export interface Reader {
  readonly modelId: string;
  /** Tokenizer that counts reader tokens (the decoder's own, when it is local). */
  readonly tokenizer: string;
  countTokens(text: string): number;
  /** Prompt tokens that fit with room for the answer; null when the window is unknown. */
  readonly promptBudget: number | null;
  readonly window: number | null;
  answer(prompt: string): Promise<Generation>;
  /**
   * Answers from gist summary vectors read as input embeddings, then `text`; absent when this
   * reader reads text only. Throws when the AutoCompressor that wrote them cannot be loaded.
   */
  answerFromVectors?(summary: SummaryVectors, text: string): Promise<Generation>;
}

/** How a reader gets at gist vectors: the AutoCompressor that reads them, and their store. */
export interface VectorSource {
  readonly reader: () => Promise<SummaryCompressor>;
  readonly summaries: () => SummaryVectorProvider;
}

/** Answers stop at the end of the line: every task's answer is one line. */
const STOP = ["\n"];

/**
 * A reader over any decoder. The embedded (ONNX) decoder brings its tokenizer; a remote one's is
 * unknown here, so `fallbackTokenizer` (the scorer's) counts for it and its name says so. Only
 * the embedded reader answers from gist vectors: its AutoCompressor extension reads them.
 * Calls are serialised: one answer at a time, so decode latencies are not shared.
 */
export function createReader(
  decoder: Decoder,
  fallbackTokenizer: Tokenizer,
  maxNewTokens: number,
  vectors?: VectorSource,
): Reader {
  const local = decoder instanceof OnnxDecoder ? decoder.lm.tokenizer : null;
  const tokenizer = local ?? fallbackTokenizer;
  const window = decoder.contextWindow;
  const options = { maxNewTokens, stop: STOP, temperature: 0 };
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = (run: () => Promise<Generation>): Promise<Generation> => {
    const next = queue.then(run);
    queue = next.catch(() => undefined);
    return next;
  };
  const answerFromVectors =
    local && vectors
      ? async (summary: SummaryVectors, text: string) => {
          const gist = await vectors.reader();
          if (gist.modelId !== summary.modelId) {
            throw new Error(
              `summary vectors written by ${summary.modelId} cannot be read by ${gist.modelId}`,
            );
          }
          const softprompt = await readSoftPrompt(summary, vectors.summaries());
          return serialised(() => gist.generate(softprompt, text, options));
        }
      : undefined;
  return {
    modelId: decoder.modelId,
    tokenizer: local ? tokenizer.name : `${tokenizer.name} (scorer's; the decoder's is remote)`,
    countTokens: (text) => tokenizer.encode(text).length,
    // One token for a BOS the decoder may prepend.
    promptBudget: window === null ? null : window - maxNewTokens - 1,
    window,
    answer: (prompt) => serialised(() => decoder.generate(prompt, options)),
    ...(answerFromVectors ? { answerFromVectors } : {}),
  };
}
