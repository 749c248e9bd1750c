/**
 * Readers for the extra files our exporter puts in a model folder (see training/README.md):
 * export-check.json (golden log-probs from torch) and embed_tokens.json (where the token-embedding
 * table lies in the shared weights file, for callers that build inputs_embeds themselves).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

export const exportCheckSchema = z.object({
  format: z.literal(1),
  text: z.string(),
  input_ids: z.array(z.number().int().nonnegative()),
  /** ln p(input_ids[i] | input_ids[<i]); entry 0 is null. */
  logprobs: z.array(z.number().nullable()),
  /** Max |difference| allowed for the fp32 graph on ONNX Runtime. */
  tolerance: z.number().positive(),
  /**
   * Per ONNX variant file (e.g. model_quantized.onnx): the log-probs torch computed with the
   * variant's own (e.g. int8) weights, and the tolerance for ONNX Runtime's without fusions.
   */
  variants: z
    .record(
      z.string(),
      z.object({
        tolerance: z.number().positive(),
        logprobs: z.array(z.number().nullable()),
        /** Bounds (max and mean |difference|, nats) when ONNX Runtime fuses int8 kernels. */
        fused: z.object({ max: z.number().positive(), mean: z.number().positive() }),
      }),
    )
    .optional(),
  computed_by: z.string(),
});
export type ExportCheck = z.infer<typeof exportCheckSchema>;

export function readExportCheck(folder: string): ExportCheck {
  return exportCheckSchema.parse(
    JSON.parse(readFileSync(join(folder, "export-check.json"), "utf8")),
  );
}

const embedTableSchema = z.object({
  file: z.string(),
  offset: z.number().int().nonnegative(),
  dtype: z.literal("float32"),
  shape: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  byteOrder: z.literal("little"),
});

/** The [vocab, hidden] token-embedding table as one row-major Float32Array. */
export function readEmbeddingTable(folder: string): {
  table: Float32Array;
  vocab: number;
  hidden: number;
} {
  const location = embedTableSchema.parse(
    JSON.parse(readFileSync(join(folder, "embed_tokens.json"), "utf8")),
  );
  const [vocab, hidden] = location.shape;
  const bytes = readFileSync(join(folder, location.file)).subarray(
    location.offset,
    location.offset + 4 * vocab * hidden,
  );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = new Float32Array(vocab * hidden);
  for (let i = 0; i < table.length; i++) table[i] = view.getFloat32(4 * i, true);
  return { table, vocab, hidden };
}
