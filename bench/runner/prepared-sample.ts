import { assemblePrompt } from "../../src/compressors/index.js";
import type { CompressInput } from "../../src/compressors/types.js";
import { splitIntoContexts } from "../../src/sdk/chunk.js";
import type { CompressionBackend } from "./backend.js";
import type { Reader } from "./reader.js";
import type { BenchRecord } from "./record.js";
import { type BenchSample, benchPrompt } from "./samples.js";

/** What every cell needs besides its sample: the compressor, the reader and the counters. */
export interface CellDeps {
  readonly backend: CompressionBackend;
  readonly reader: Reader;
  /** The compressor's (scorer's) tokenizer, for the budget. */
  readonly compressorTokens: (text: string) => number;
  readonly cl100kTokens: (text: string) => number;
  /** See suiteSchema.chunkChars. */
  readonly chunkChars: number | null;
  /** See BudgetInput.margin. */
  readonly budgetMargin: number;
}

/** What every cell of a sample shares, computed once. */
export interface PreparedSample {
  readonly sample: BenchSample;
  readonly input: CompressInput;
  readonly readerTokens: number;
  readonly cl100kTokens: number;
  readonly compressorTokens: number;
  readonly compressorReaderTokens: number;
  /** Records of this sample's compressions by method and options asked (see reuseRecord). */
  readonly compressions: Map<string, Promise<BenchRecord>>;
}

export function prepareSample(sample: BenchSample, deps: CellDeps): PreparedSample {
  const contexts =
    deps.chunkChars !== null && sample.contexts.length === 1
      ? splitIntoContexts(sample.contexts[0] as string, deps.chunkChars)
      : [...sample.contexts];
  const input = { instruction: sample.instruction, contexts, question: sample.question };
  const compressorPrompt = assemblePrompt(input);
  const original = benchPrompt(sample, sample.contexts);
  return {
    sample,
    input,
    readerTokens: deps.reader.countTokens(original),
    cl100kTokens: deps.cl100kTokens(original),
    compressorTokens: deps.compressorTokens(compressorPrompt),
    compressorReaderTokens: deps.reader.countTokens(compressorPrompt),
    compressions: new Map(),
  };
}
