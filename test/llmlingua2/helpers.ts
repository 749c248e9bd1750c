import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelProvider } from "../../src/compressors/types.js";
import { PACKAGE_ROOT } from "../../src/model/defaults.js";
import { resolveTokenizerFolder } from "../../src/model/model-folder.js";
import { readClassifierVocabulary } from "../../src/model/token-classifier-vocabulary.js";
import { HfTokenizer } from "../../src/model/tokenizer.js";
import type { LogProbScorer, TokenClassifier } from "../../src/model/types.js";

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
export const BERT_TINY = path.join(FIXTURES, "bert-tiny");
export const XLMR_TINY = path.join(FIXTURES, "xlmr-tiny");
/** The shipped classifier's folder (its tokenizer is the project's cased WordPiece). */
export const SHIPPED = path.join(PACKAGE_ROOT, "models", "lingua2-bert-mini");

/** A deterministic stand-in score per piece in (0, 1): varied, the same for the same piece. */
export function pieceScore(piece: string): number {
  let h = 2166136261;
  for (let i = 0; i < piece.length; i++) h = Math.imul(h ^ piece.charCodeAt(i), 16777619);
  return (((h >>> 0) % 9973) / 9973) * 0.98 + 0.01;
}

/**
 * A `TokenClassifier` over a real tokenizer whose probabilities are `pieceScore` of each piece:
 * the compressor's algorithm runs without an ONNX model, and tests can predict every decision.
 * Records the length of every sequence it was asked about.
 */
export class PieceClassifier implements TokenClassifier {
  readonly calls: number[][] = [];
  private constructor(
    readonly tokenizer: HfTokenizer,
    private readonly vocabulary: ReturnType<typeof readClassifierVocabulary>,
    readonly maxContentTokens: number,
  ) {}

  static async load(folder: string, maxContentTokens = 510): Promise<PieceClassifier> {
    const resolved = await resolveTokenizerFolder(folder);
    const file = path.join(resolved.dir, "tokenizer.json");
    const vocabulary = readClassifierVocabulary(JSON.parse(readFileSync(file, "utf8")), file);
    return new PieceClassifier(await HfTokenizer.load(resolved), vocabulary, maxContentTokens);
  }

  get modelId(): string {
    return `piece-score:${this.tokenizer.name}`;
  }

  get wordConvention() {
    return this.vocabulary.convention;
  }

  pieces(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocabulary.pieces[id] ?? "");
  }

  async keepProbabilities(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    this.calls.push(sequences.map((s) => s.length));
    return sequences.map((ids) => Float32Array.from(this.pieces(ids), pieceScore));
  }

  async dispose(): Promise<void> {}
}

export function classifierModels(classifier: TokenClassifier): ModelProvider {
  return {
    scorer: () =>
      Promise.reject(new Error("llmlingua2 must not load a scorer")) as Promise<LogProbScorer>,
    tokenClassifier: async () => classifier,
  };
}
