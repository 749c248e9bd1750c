import { z } from "zod";
import { sharedOptionsShape } from "../options.js";

const shared = sharedOptionsShape(1);
const POSITIVE_SEGMENT = { message: "segmentTokens must be a positive integer" };

/**
 * Options of `gist`. The ratio of a vector method is set by the segment length: each segment of
 * about `segmentTokens` tokens becomes κ vectors. `segmentTokens` wins; otherwise `rate` (or
 * `targetTokens`) picks the segment length that writes that share of vectors; with neither, the
 * model's own segment length (what it was trained for) is used. A target tokenizer has no meaning
 * for vectors, so `targetTokenizer` is not accepted.
 */
export const gistOptionsSchema = z.strictObject({
  method: z.literal("gist"),
  /** Summary vectors per context token, in (0, 1]: segments of about κ / rate tokens. */
  rate: shared.rate.unwrap().optional(),
  /** Budget for the reader's input (vectors plus instruction and question tokens). */
  targetTokens: shared.targetTokens,
  segmentTokens: z.number().int(POSITIVE_SEGMENT).positive(POSITIVE_SEGMENT).max(8192).optional(),
});
export type GistOptions = z.output<typeof gistOptionsSchema>;

export interface SegmentLengthInput {
  readonly options: GistOptions;
  /** κ of the model. */
  readonly summaryTokens: number;
  /** The model's trained segment length. */
  readonly modelSegmentTokens: number;
  /** Tokens of all contexts, and of the instruction and question read after the vectors. */
  readonly contextTokens: number;
  readonly readerTokens: number;
}

/** The segment length the options ask for (at least κ tokens: fewer would expand the text). */
export function segmentLength(input: SegmentLengthInput): number {
  const { options, summaryTokens } = input;
  if (options.segmentTokens !== undefined) return options.segmentTokens;
  let rate = options.rate;
  if (options.targetTokens !== undefined) {
    const room = Math.max(1, options.targetTokens - input.readerTokens);
    rate = Math.min(1, room / Math.max(1, input.contextTokens));
  }
  if (rate === undefined) return input.modelSegmentTokens;
  return Math.max(summaryTokens, Math.ceil(summaryTokens / rate));
}
