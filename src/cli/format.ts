import type { IndexJobResult } from "../../queues/index-jobs.js";
import type {
  CompressionResult,
  CompressionStats,
  SummaryVectors,
  TokenCounts,
} from "../compressors/types.js";
import type { AnswerResult } from "../store/records.js";

function describeCounts(counts: TokenCounts): string {
  const ratio = Number.isFinite(counts.ratio) ? `${counts.ratio.toFixed(1)}x` : "all dropped";
  return `${counts.originalTokens} → ${counts.compressedTokens} tokens (${counts.tokenizer}; ${ratio}, kept ${(counts.rate * 100).toFixed(1)}%)`;
}

function describeTimings(timingsMs: Record<string, number>): string {
  return Object.entries(timingsMs)
    .map(([stage, ms]) => `${stage} ${Math.round(ms)} ms`)
    .join(", ");
}

/** Human-readable lines for a compression's stats. */
export function formatCompressionStats(method: string, stats: CompressionStats): string[] {
  const lines = [`method: ${method}`, `tokens: ${describeCounts(stats.counts)}`];
  if (stats.target) lines.push(`target tokenizer: ${describeCounts(stats.target)}`);
  lines.push(`compression: ${Math.round(stats.totalMs)} ms (${describeTimings(stats.timingsMs)})`);
  return lines;
}

/** Human-readable line for a vector compression (gist): what was stored, what was reused. */
export function formatSummary(summary: SummaryVectors): string {
  const vectors = summary.contexts.reduce((sum, context) => sum + context.vectors, 0);
  const segments = summary.contexts.reduce((sum, context) => sum + context.segments, 0);
  const reused = summary.contexts.filter((context) => !context.computed).length;
  return `summary vectors: ${vectors} (${summary.summaryTokens} per segment, ${segments} segments; ${summary.ratio.toFixed(1)}x context tokens per vector; ${reused} of ${summary.contexts.length} documents already stored) by ${summary.modelId}`;
}

/** Human-readable lines for an answer's costs. */
export function formatAnswerStats(result: AnswerResult): string[] {
  const { generation, timingsMs } = result;
  return [
    ...formatCompressionStats(result.compression.method, result.compression.stats),
    `decoder: ${generation.modelId}, ${generation.promptTokens} prompt + ${generation.completionTokens} answer tokens, ${Math.round(generation.latencyMs)} ms (${generation.finishReason})`,
    `total: ${Math.round(timingsMs.total)} ms`,
  ];
}

/**
 * A compression on stdout (the prompt, or everything with --json), its stats on stderr. A vector
 * compression prints its preview: the layout with one placeholder per context's vectors.
 */
export function printCompression(result: CompressionResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${result.kind === "text" ? result.prompt : result.preview}\n`);
  const lines = formatCompressionStats(result.method, result.stats);
  if (result.kind === "vectors") lines.push(formatSummary(result.summary));
  process.stderr.write(`${lines.join("\n")}\n`);
}

/** An answer on stdout (the text, or everything with --json), its costs on stderr. */
export function printAnswer(result: AnswerResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${result.answer}\n`);
  process.stderr.write(`${formatAnswerStats(result).join("\n")}\n`);
}

/** A landmark index's summary on stdout. */
export function printIndex(result: IndexJobResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const how = result.built ? `built in ${Math.round(result.buildMs)} ms` : "already indexed";
  process.stdout.write(
    `${result.documentSha256}: ${result.blocks} blocks of ${result.blockTokens} tokens, ${result.dimensions}-d vectors (${result.modelId}; ${how})\n`,
  );
}

/** Prints what a queued job produced: an answer, a compression or an index. */
export function printResult(
  result: AnswerResult | IndexJobResult | CompressionResult,
  json: boolean,
): void {
  if ("answer" in result) printAnswer(result, json);
  else if ("documentSha256" in result) printIndex(result, json);
  else printCompression(result, json);
}
