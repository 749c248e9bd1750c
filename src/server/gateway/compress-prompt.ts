import { type CompressOptions, parseCompressOptions } from "../../compressors/index.js";
import { targetTokenCounter } from "../../compressors/target-tokenizer.js";
import { CompressionInputError } from "../../errors/index.js";
import { splitIntoContexts } from "../../sdk/chunk.js";
import type { CompressionBackend } from "../backend.js";
import type { GatewayPolicy } from "../config.js";
import type { CompressiblePrompt, TextSlot } from "./prompt-parts.js";

/** The request field that asks for compression; removed before the request is forwarded. */
export const CTXPRESS_FIELD = "ctxpress";

/** Texts are cut into contexts of whole paragraphs this long, so methods can drop whole parts. */
const CONTEXT_CHARS = 2000;

/** How a request's compression went; becomes the `x-ctxpress-*` response headers. */
export type GatewayCompression =
  | { readonly outcome: "skipped" }
  | {
      readonly outcome: "compressed";
      readonly originalTokens: number;
      readonly compressedTokens: number;
    }
  | { readonly outcome: "failed"; readonly reason: string };

/** What to compress with: the request's own `ctxpress` field, else the server's policy. */
export interface CompressionPlan {
  readonly options: CompressOptions;
  /** Slots shorter than this (cl100k tokens) are left alone; 0 compresses every slot. */
  readonly minTokens: number;
}

function relabel(error: unknown): unknown {
  if (!(error instanceof CompressionInputError)) return error;
  return new CompressionInputError(
    error.issues.map((issue) => ({
      ...issue,
      path: [CTXPRESS_FIELD, ...issue.path.slice(issue.path[0] === "options" ? 1 : 0)],
    })),
  );
}

/**
 * Takes the `ctxpress` field out of `body` and says how to compress. A bad field (an unknown
 * method, a rate out of range, a vector method whose result the upstream cannot read) throws a
 * `CompressionInputError` naming `ctxpress.<field>`: the client asked for something impossible.
 */
export function planCompression(
  body: Record<string, unknown>,
  policy: GatewayPolicy | undefined,
): CompressionPlan | null {
  const requested = body[CTXPRESS_FIELD];
  delete body[CTXPRESS_FIELD];
  const raw = requested ?? policy?.options;
  if (raw === undefined || raw === null || raw === false) return null;
  let options: CompressOptions;
  try {
    options = parseCompressOptions(raw);
  } catch (error) {
    throw relabel(error);
  }
  if (options.method === "gist") {
    throw CompressionInputError.of(
      [CTXPRESS_FIELD, "method"],
      "gist compresses into summary vectors, which an OpenAI-compatible upstream cannot read",
    );
  }
  return { options, minTokens: requested === undefined ? (policy?.minTokens ?? 0) : 0 };
}

let countTokens: Promise<(text: string) => number> | undefined;

async function selectSlots(slots: readonly TextSlot[], minTokens: number): Promise<TextSlot[]> {
  if (minTokens === 0) return [...slots];
  countTokens ??= targetTokenCounter("cl100k_base");
  const count = await countTokens;
  return slots.filter((slot) => count(slot.text) >= minTokens);
}

/**
 * Compresses the prompt's slots in one call (so question-aware methods rank every part against
 * the question) and writes each slot's kept paragraphs back in their original order. Token counts
 * are the compressor's (scorer tokenizer) over what it was given, the question included.
 */
export async function compressPrompt(
  prompt: CompressiblePrompt,
  plan: CompressionPlan,
  backend: CompressionBackend,
  signal: AbortSignal,
): Promise<GatewayCompression> {
  const slots = (await selectSlots(prompt.slots, plan.minTokens)).filter(
    (slot) => slot.text.trim() !== "",
  );
  if (slots.length === 0) return { outcome: "skipped" };
  const owners: number[] = [];
  const contexts = slots.flatMap((slot, owner) =>
    splitIntoContexts(slot.text, CONTEXT_CHARS).map((context) => {
      owners.push(owner);
      return context;
    }),
  );
  const result = await backend.compress(
    { contexts, ...(prompt.question === undefined ? {} : { question: prompt.question }) },
    plan.options,
    signal,
  );
  const kept = slots.map(() => [] as { index: number; text: string }[]);
  for (const context of result.contexts) kept[owners[context.index] ?? 0]?.push(context);
  slots.forEach((slot, owner) => {
    const parts = (kept[owner] ?? []).sort((a, b) => a.index - b.index);
    slot.write(parts.map((part) => part.text).join("\n\n"));
  });
  const { originalTokens, compressedTokens } = result.stats.counts;
  return { outcome: "compressed", originalTokens, compressedTokens };
}

/** Header-safe text: printable ASCII, at most 200 characters. */
function headerText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, " ").slice(0, 200);
}

/** The `x-ctxpress-*` headers that tell the client what the gateway did. */
export function compressionHeaders(compression: GatewayCompression): Record<string, string> {
  switch (compression.outcome) {
    case "skipped":
      return { "x-ctxpress-compression": "skipped" };
    case "failed":
      return {
        "x-ctxpress-compression": "failed",
        "x-ctxpress-error": headerText(compression.reason),
      };
    case "compressed": {
      const { originalTokens, compressedTokens } = compression;
      return {
        "x-ctxpress-compression": "compressed",
        "x-ctxpress-original-tokens": String(originalTokens),
        "x-ctxpress-compressed-tokens": String(compressedTokens),
        "x-ctxpress-ratio":
          compressedTokens === 0 ? "inf" : (originalTokens / compressedTokens).toFixed(2),
      };
    }
  }
}
