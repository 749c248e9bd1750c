import { z } from "zod";
import { TASK_NAMES } from "../tasks/index.js";

/**
 * A benchmark suite as plain data: which generated samples to build, which compression rates to
 * ask for, and how the reader answers. Every method in the compressor registry runs (plus
 * "none", the uncompressed prompt) unless the caller narrows them.
 */

/** Rate = fraction of the prompt's tokens to keep (1/2, 1/4, 1/10, 1/20 → 2x … 20x). */
const rateSchema = z.number().gt(0).lte(1);

/**
 * One group of generated samples: `samples` seeds for every length × placement. A placement is a
 * needle depth (passkey, multi-key), an answer-document position (doc-qa), or nothing (the tasks
 * whose needles sit at random depths).
 */
export const taskGroupSchema = z
  .strictObject({
    task: z.enum(TASK_NAMES),
    /** Requested prompt lengths in the reader's tokens. */
    lengths: z.array(z.number().int().min(256)).min(1),
    samples: z.number().int().positive(),
    /** passkey and multi-key: depths of the queried needle, 0 = start of the haystack, 1 = end. */
    depths: z.array(z.number().min(0).max(1)).min(1).optional(),
    /** doc-qa: 1-based positions of the document holding the answer. */
    positions: z.array(z.number().int().positive()).min(1).optional(),
    /** doc-qa: documents per sample (Lost in the Middle: 20). */
    documents: z.number().int().positive().optional(),
  })
  .superRefine((group, ctx) => {
    const needsDepth = group.task === "passkey" || group.task === "multi-key";
    if (needsDepth !== (group.depths !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["depths"],
        message: needsDepth ? `${group.task} needs depths` : `${group.task} takes no depths`,
      });
    }
    const isQa = group.task === "doc-qa";
    if (isQa !== (group.positions !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["positions"],
        message: isQa ? "doc-qa needs positions" : `${group.task} takes no positions`,
      });
    }
    const documents = group.documents ?? 20;
    if (isQa && (group.positions ?? []).some((p) => p > documents)) {
      ctx.addIssue({
        code: "custom",
        path: ["positions"],
        message: `positions must be at most the number of documents (${documents})`,
      });
    }
  });
export type TaskGroup = z.output<typeof taskGroupSchema>;

export const suiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string(),
  groups: z.array(taskGroupSchema).min(1),
  rates: z.array(rateSchema).min(1),
  /**
   * Longest answer, in reader tokens: multi-value's four 7-digit numbers take 32 tokens of the
   * project's tokenizer (single digits), variable tracking's five names 28. The embedded reader
   * stops earlier at its end-of-text token.
   */
  maxNewTokens: z.number().int().positive().default(40),
  /**
   * A single long context (a haystack) is handed to every method split into contexts of whole
   * paragraphs up to this many characters, as `ctxpress --chunk-chars` does, so that methods with
   * a context-level stage (LLMLingua's budget controller, LongLLMLingua's ranking) have units to
   * choose from. Joined back, the chunks are the same text, so "none" and the counts are unchanged.
   */
  chunkChars: z.number().int().positive().nullable().default(2000),
});
export type Suite = z.output<typeof suiteSchema>;
export type SuiteInput = z.input<typeof suiteSchema>;
