import { z } from "zod";
import { ModelLoadError } from "../errors/index.js";
import type { WordConvention } from "./types.js";

/**
 * What a token classifier needs from its tokenizer.json beyond encoding: the vocabulary string
 * of every id (word reassembly reads "##" and "▁"), the special tokens framing each sequence
 * and the padding id. Read from the file itself rather than hard-coded per family: the reference
 * builds XLM-RoBERTa inputs with BERT's [CLS]/[SEP]/[PAD] strings (its issue #181).
 */
export interface ClassifierVocabulary {
  readonly pieces: readonly string[];
  readonly convention: WordConvention;
  /** Ids before and after the content of every sequence (e.g. [CLS] … [SEP], <s> … </s>). */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  readonly padId: number;
}

const templatePieceSchema = z.union([
  z.object({ SpecialToken: z.object({ id: z.string() }) }),
  z.object({ Sequence: z.object({ id: z.string() }) }),
]);

const processorSchema = z.looseObject({
  type: z.string(),
  single: z.array(templatePieceSchema).optional(),
  special_tokens: z.record(z.string(), z.object({ ids: z.array(z.number().int()) })).optional(),
  cls: z.tuple([z.string(), z.number().int()]).optional(),
  sep: z.tuple([z.string(), z.number().int()]).optional(),
  processors: z.array(z.looseObject({ type: z.string() })).optional(),
});

const tokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(z.object({ id: z.number().int(), content: z.string() })).default([]),
  pre_tokenizer: z.looseObject({ type: z.string() }).nullish(),
  decoder: z.looseObject({ type: z.string() }).nullish(),
  post_processor: processorSchema.nullish(),
  model: z.looseObject({
    type: z.string(),
    vocab: z.union([
      z.record(z.string(), z.number().int()),
      z.array(z.tuple([z.string(), z.number()])),
    ]),
  }),
});

type TokenizerJson = z.output<typeof tokenizerJsonSchema>;
type Processor = z.output<typeof processorSchema>;

function typesIn(part: { type: string } | null | undefined): string[] {
  if (!part) return [];
  const nested =
    (part as Record<string, unknown>).pretokenizers ?? (part as Record<string, unknown>).decoders;
  return [part.type, ...(Array.isArray(nested) ? nested.flatMap((p) => typesIn(p)) : [])];
}

function conventionOf(json: TokenizerJson, file: string): WordConvention {
  const types = [json.model.type, ...typesIn(json.pre_tokenizer), ...typesIn(json.decoder)];
  if (types.includes("WordPiece")) return "wordpiece";
  if (types.includes("Metaspace") || json.model.type === "Unigram") return "sentencepiece";
  throw new ModelLoadError(
    `${file}: LLMLingua-2 reassembles words from WordPiece ("##") or SentencePiece ("▁") pieces; this tokenizer is ${types.join("/")}`,
  );
}

function piecesOf(json: TokenizerJson): string[] {
  const pieces: string[] = [];
  const { vocab } = json.model;
  const entries: [string, number][] = Array.isArray(vocab)
    ? vocab.map(([piece], id) => [piece, id])
    : Object.entries(vocab);
  for (const [piece, id] of entries) pieces[id] = piece;
  for (const token of json.added_tokens) pieces[token.id] = token.content;
  return Array.from(pieces, (piece) => piece ?? "");
}

/** The template processor, also when wrapped in a Sequence (newer tokenizer.json files). */
function frameProcessor(processor: Processor | null | undefined): Processor | undefined {
  if (!processor) return undefined;
  if (processor.type !== "Sequence") return processor;
  return (processor.processors ?? [])
    .map((p) => processorSchema.safeParse(p))
    .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
    .find((p) => p.type !== "ByteLevel");
}

function frame(processor: Processor | undefined, file: string): [number[], number[]] {
  if (processor?.cls && processor.sep) return [[processor.cls[1]], [processor.sep[1]]];
  if (processor?.single) {
    const sequenceAt = processor.single.findIndex((piece) => "Sequence" in piece);
    const ids = (pieces: typeof processor.single) =>
      pieces.flatMap((piece) =>
        "SpecialToken" in piece
          ? (processor.special_tokens?.[piece.SpecialToken.id]?.ids ?? [])
          : [],
      );
    return [
      ids(processor.single.slice(0, sequenceAt)),
      ids(processor.single.slice(sequenceAt + 1)),
    ];
  }
  throw new ModelLoadError(
    `${file} has no post_processor saying which special tokens frame a sequence (TemplateProcessing, BertProcessing or RobertaProcessing)`,
  );
}

const PAD_STRINGS = ["[PAD]", "<pad>"];

/** Parses tokenizer.json (already JSON-decoded); `file` names it in errors. */
export function readClassifierVocabulary(
  raw: unknown,
  file: string,
  configPadId?: number | null,
): ClassifierVocabulary {
  const parsed = tokenizerJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ModelLoadError(`${file} is not a tokenizer.json: ${z.prettifyError(parsed.error)}`);
  }
  const json = parsed.data;
  const pieces = piecesOf(json);
  const [prefixIds, suffixIds] = frame(frameProcessor(json.post_processor), file);
  const padByName = PAD_STRINGS.map((s) => pieces.indexOf(s)).find((id) => id >= 0);
  return {
    pieces,
    convention: conventionOf(json, file),
    prefixIds,
    suffixIds,
    padId: configPadId ?? padByName ?? 0,
  };
}
