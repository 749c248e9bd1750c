import type { CompressionBackend } from "../../bench/runner/backend.js";
import type { CellDeps } from "../../bench/runner/prepared-sample.js";
import type { Reader } from "../../bench/runner/reader.js";
import {
  generatedSource,
  heldOutGeneration,
  type SampleSource,
} from "../../bench/runner/samples.js";
import type { CompressionResult } from "../../src/compressors/types.js";
import { SummaryVectorCache } from "../../src/store/summary-vector-cache.js";

/** Words as tokens: enough to drive the runner's logic without a model. */
export const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * A reader that answers with the pass key when the prompt still holds it, else "unknown": its
 * accuracy is exactly the answer retention, so tests know what every cell must score.
 */
export function keyReader(promptBudget: number | null, answered: string[] = []): Reader {
  return {
    modelId: "key-reader",
    tokenizer: "words",
    countTokens: countWords,
    promptBudget,
    window: promptBudget === null ? null : promptBudget + 25,
    answer: async (prompt) => {
      answered.push(prompt);
      const key = prompt.match(/The pass key is (\d+)\. Remember it/)?.[1];
      return {
        text: ` ${key ?? "unknown"}.`,
        promptTokens: countWords(prompt),
        completionTokens: 2,
        finishReason: "stop",
        latencyMs: 5,
      };
    },
  };
}

/** Keeps the first `rate` share of each context's words (or what fits `targetTokens`). */
export function headBackend(
  /** Fields put over the text result (e.g. `kind: "vectors"` and a `summary`). */
  extra: Record<string, unknown> = {},
  calls: string[] = [],
): CompressionBackend {
  return {
    description: "test head-truncation",
    concurrency: 1,
    compress: async (input, options) => {
      const { method, rate, targetTokens } = options as {
        method: string;
        rate?: number;
        targetTokens?: number;
      };
      calls.push(method);
      if (method === "broken") throw new Error("boom");
      const total = input.contexts.reduce((s, c) => s + countWords(c as string), 0);
      // targetTokens covers the whole prompt, instruction and question included.
      const fixed = countWords(input.instruction ?? "") + countWords(input.question ?? "");
      const share = targetTokens !== undefined ? (targetTokens - fixed) / total : (rate ?? 0.5);
      const contexts = input.contexts.map((context, index) => {
        const words = (context as string).split(/\s+/).filter(Boolean);
        const kept = words.slice(0, Math.floor(words.length * share));
        return {
          index,
          text: kept.join(" "),
          keptSpans: [],
          originalTokens: words.length,
          compressedTokens: kept.length,
        };
      });
      const compressed = contexts.reduce((s, c) => s + c.compressedTokens, 0);
      return {
        kind: "text" as const,
        method,
        prompt: contexts.map((c) => c.text).join("\n\n"),
        contexts,
        stats: {
          counts: {
            tokenizer: "words",
            originalTokens: total,
            compressedTokens: compressed,
            ratio: total / compressed,
            rate: compressed / total,
          },
          timingsMs: { fine: 3 },
          totalMs: 3,
          models: { scorer: "test" },
        },
        options: { ...options },
        ...extra,
      } as CompressionResult;
    },
    summaryVectors: new SummaryVectorCache(),
    close: async () => {},
  };
}

export function testDeps(reader: Reader, backend: CompressionBackend): CellDeps {
  return {
    backend,
    reader,
    compressorTokens: countWords,
    cl100kTokens: countWords,
    chunkChars: null,
    budgetMargin: 0,
  };
}

/** Passkey samples at the given depths, counted in words. */
export function passkeySources(lengthTokens: number, depths: readonly number[]): SampleSource[] {
  const generation = heldOutGeneration(countWords);
  return depths.map((depth, i) =>
    generatedSource(
      { kind: "generated", task: "passkey", lengthTokens, seed: 80_000_000 + i, depth },
      generation,
    ),
  );
}
