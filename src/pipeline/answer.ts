import type { GenerationOptions } from "../../queues/schemas.js";
import type { CompressionResult, TextCompression } from "../compressors/types.js";
import { CompressionInputError } from "../errors/index.js";
import type { Decoder, GenerateOptions, Generation } from "../model/types.js";
import type { AnswerResult } from "../store/records.js";

/** Appended to the compressed prompt so a completion model answers instead of continuing text. */
export const ANSWER_CUE = "\nAnswer:";

/** The decoder's prompt for a text compression: the compressed prompt, then `ANSWER_CUE`. */
export function buildAnswerPrompt(result: Pick<TextCompression, "prompt">): string {
  return `${result.prompt}${ANSWER_CUE}`;
}

/** Runs the decoder over a compression result and gathers the costs of both steps. */
export async function answerFromCompression(
  result: CompressionResult,
  decoder: Decoder,
  generation: GenerationOptions,
  signal?: AbortSignal,
): Promise<AnswerResult> {
  if (result.kind === "vectors") {
    // A queued or stored result is only typed at run time: refuse it rather than answer blind.
    throw CompressionInputError.of(
      ["compression", "summary"],
      `a ${result.method} compression holds summary vectors, not text: answer it through the AutoCompressor's reader (answerCompression)`,
    );
  }
  const prompt = buildAnswerPrompt(result);
  const output = await decoder.generate(prompt, generateOptions(generation, signal));
  return answerResult(result, prompt, decoder.modelId, output);
}

/** A job's decoding settings as the decoder takes them. */
export function generateOptions(
  generation: GenerationOptions,
  signal?: AbortSignal,
): GenerateOptions {
  return {
    maxNewTokens: generation.maxNewTokens,
    temperature: generation.temperature,
    ...(generation.stop ? { stop: generation.stop } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** The answer with what each step cost: the compression's stats and the decoder's generation. */
export function answerResult(
  result: CompressionResult,
  prompt: string,
  modelId: string,
  output: Generation,
): AnswerResult {
  return {
    answer: output.text.trim(),
    prompt,
    generation: {
      modelId,
      promptTokens: output.promptTokens,
      completionTokens: output.completionTokens,
      finishReason: output.finishReason,
      latencyMs: output.latencyMs,
    },
    compression: { method: result.method, stats: result.stats },
    timingsMs: {
      compress: result.stats.totalMs,
      decode: output.latencyMs,
      total: result.stats.totalMs + output.latencyMs,
    },
  };
}
