import { readFileSync } from "node:fs";
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { PACKAGE_ROOT } from "../../src/model/defaults.js";

/**
 * The committed random-init AutoCompressor (models/gist-tiny-random, built by
 * training/gist/make_tiny.py): κ = 4, hidden 64, segments of 32 tokens, golden values from torch
 * in gist-check.json. Plumbing only: it knows no English.
 */
export const TINY_GIST = path.join(PACKAGE_ROOT, "models", "gist-tiny-random");

const gistCheckSchema = z.object({
  format: z.literal(1),
  summary_tokens: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  segments: z.array(z.array(z.number().int().nonnegative())),
  summary_vectors: z.array(z.array(z.number())),
  question_ids: z.array(z.number().int().nonnegative()),
  logprobs: z.array(z.number().nullable()),
  tolerance: z.number().positive(),
  /**
   * The int8 graphs (`_quantized`, one shared weights file): torch's values on the same int8
   * weights with float activations, and the bounds ONNX Runtime must meet as written ("basic"
   * optimizations) and fused.
   */
  variants: z
    .object({
      q8: z.object({
        summary_vectors: z.array(z.array(z.number())),
        logprobs: z.array(z.number().nullable()),
        int8_activations: z.boolean(),
        tolerance: z.object({
          summary_vectors: z.number().positive(),
          logprobs: z.number().positive(),
        }),
        fused: z.object({
          summary_vectors: z.number().positive(),
          logprobs: z.number().positive(),
        }),
      }),
    })
    .optional(),
});
export type GistCheck = z.infer<typeof gistCheckSchema>;

export function readGistCheck(folder: string = TINY_GIST): GistCheck {
  return gistCheckSchema.parse(
    JSON.parse(readFileSync(path.join(folder, "gist-check.json"), "utf8")),
  );
}

/** Largest absolute difference of two equally long arrays (Infinity when lengths differ). */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

/**
 * Copies the tiny AutoCompressor to `<parent>/gist-tiny-random` with other weights (one float in
 * 1024 of the shared weights file scaled): the same folder name, so only the weights digest in
 * its model id tells the two apart. Returns the copy's folder.
 */
export async function alteredTinyGist(parent: string): Promise<string> {
  const folder = path.join(parent, "gist-tiny-random");
  await cp(TINY_GIST, folder, { recursive: true });
  const weights = path.join(folder, "onnx", "model.onnx_data");
  const bytes = await readFile(weights);
  for (let at = 0; at < bytes.length; at += 4096)
    bytes.writeFloatLE(bytes.readFloatLE(at) * 1.5, at);
  await writeFile(weights, bytes);
  return folder;
}
