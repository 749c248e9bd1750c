/**
 * Teacher labels for the LLMLingua-2 classifier (distillation, as in the paper, with the
 * project's own LLMLingua in place of GPT-4): each text is compressed by ctxpress `llmlingua`
 * over a causal-LM scorer at several rates, and every character gets the fraction of rates at
 * which it survived. Synthetic task samples add answer-preserving oracle labels: the inserted
 * needles (facts, keys, values) are marked as always kept.
 *
 *   npx tsx training/llmlingua2/make-labels.ts --scorer <model folder> [--split train] [--texts 600] [--tasks 300] [--out DIR]
 *
 * Writes training/.data/llmlingua2/labels-<split>.jsonl: {id, kind, text, kept: {<rate>:
 * [[start, end], ...]}, needles: [[start, end], ...]}, offsets in code points (what Python indexes).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type CorpusSplit, loadParagraphs } from "../../bench/corpus/index.js";
import { codePointOffsets } from "../../bench/llmlingua2/code-points.js";
import {
  corpusHaystack,
  Rng,
  TASK_GENERATORS,
  type TaskName,
  type TaskSample,
} from "../../bench/tasks/index.js";
import { runCompression } from "../../src/compressors/index.js";
import { findNonTextCharacter } from "../../src/compressors/text-validation.js";
import { createModelProvider } from "../../src/model/index.js";
import type { Span } from "../../src/model/types.js";

const TEACHER_RATES = [0.35, 0.65] as const;
/** Texts stay below the classifier's 510-token window (about 1.45 WordPiece tokens a word). */
const WORDS_PER_TEXT: readonly [number, number] = [120, 300];
const TASKS: readonly TaskName[] = ["passkey", "multi-key", "multi-value", "doc-qa"];

interface LabelledText {
  readonly id: string;
  readonly kind: "corpus" | TaskName;
  readonly text: string;
  readonly needles: readonly string[];
}

function corpusTexts(split: CorpusSplit, count: number, seed: number): LabelledText[] {
  const paragraphs = loadParagraphs(split);
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const words = rng.int(...WORDS_PER_TEXT);
    const parts: string[] = [];
    let taken = 0;
    for (
      let p = rng.int(0, paragraphs.length - 1);
      taken < words;
      p = (p + 1) % paragraphs.length
    ) {
      const paragraph = paragraphs[p] as string;
      const paragraphWords = paragraph.split(/\s+/);
      const part = paragraphWords.slice(0, words - taken).join(" ");
      parts.push(part);
      taken += paragraphWords.length;
    }
    return {
      id: `${split}-corpus-${seed + i}`,
      kind: "corpus",
      text: parts.join("\n\n"),
      needles: [],
    };
  });
}

function taskTexts(
  split: CorpusSplit,
  count: number,
  seed: number,
  countTokens: (text: string) => number,
): LabelledText[] {
  const haystack = corpusHaystack(split);
  return Array.from({ length: count }, (_, i) => {
    const rng = new Rng(seed + i);
    const task = rng.pick(TASKS);
    // Document QA's fixed text (instructions, titles, facts) needs the longer lengths.
    const lengthTokens = task === "doc-qa" ? rng.int(400, 460) : rng.int(200, 420);
    const base = { seed: seed + i, lengthTokens, countTokens, haystack };
    const sample: TaskSample =
      task === "doc-qa"
        ? TASK_GENERATORS["doc-qa"]({ ...base, documents: rng.int(2, 3), position: 1 })
        : task === "multi-key"
          ? TASK_GENERATORS["multi-key"]({ ...base, depth: rng.next(), keys: rng.int(2, 4) })
          : task === "multi-value"
            ? TASK_GENERATORS["multi-value"]({ ...base, values: rng.int(2, 3) })
            : TASK_GENERATORS.passkey({ ...base, depth: rng.next() });
    return {
      id: sample.id,
      kind: task,
      text: sample.contexts.join("\n\n"),
      needles: sample.meta.needles,
    };
  });
}

function needleSpans(text: string, needles: readonly string[]): Span[] {
  const spans: Span[] = [];
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      spans.push([at, at + needle.length]);
    }
  }
  return spans;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scorer: { type: "string" },
      split: { type: "string", default: "train" },
      texts: { type: "string", default: "600" },
      tasks: { type: "string", default: "300" },
      seed: { type: "string", default: "7000000" },
      out: { type: "string" },
    },
  });
  if (!values.scorer) throw new Error("--scorer <model folder> is required");
  const split = values.split as CorpusSplit;
  const seed = Number(values.seed);
  const models = createModelProvider({ scorer: { type: "onnx", model: resolve(values.scorer) } });
  const scorer = await models.scorer();
  const countTokens = (text: string) => scorer.tokenizer.encode(text).length;
  // Some corpus documents (e-mail) hold control characters, which compressors refuse.
  const items = [
    ...corpusTexts(split, Number(values.texts), seed),
    ...taskTexts(split, Number(values.tasks), seed + 500_000, countTokens),
  ].filter((item) => findNonTextCharacter(item.text) === null);

  const out = values.out
    ? resolve(values.out)
    : join(dirname(fileURLToPath(import.meta.url)), "../.data/llmlingua2");
  mkdirSync(out, { recursive: true });
  const lines: string[] = [];
  const started = performance.now();
  let tokens = 0;
  for (const [n, item] of items.entries()) {
    const runs: Span[][] = [];
    for (const rate of TEACHER_RATES) {
      const result = await runCompression(
        { contexts: [item.text] },
        { method: "llmlingua", rate, structuredTags: false },
        { models },
      );
      runs.push(result.contexts[0]?.keptSpans ?? []);
      tokens += result.stats.counts.originalTokens;
    }
    const points = codePointOffsets(item.text);
    const toPoints = ([start, end]: readonly number[]) => [points[start ?? 0], points[end ?? 0]];
    lines.push(
      JSON.stringify({
        id: item.id,
        kind: item.kind,
        text: item.text,
        kept: Object.fromEntries(
          TEACHER_RATES.map((rate, r) => [rate, (runs[r] ?? []).map(toPoints)]),
        ),
        needles: needleSpans(item.text, item.needles).map(toPoints),
      }),
    );
    if ((n + 1) % 50 === 0) {
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${n + 1}/${items.length} texts, ${Math.round(tokens / seconds)} scorer tokens/s`,
      );
    }
  }
  const file = join(out, `labels-${split}.jsonl`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  console.log(`wrote ${lines.length} texts to ${file} (teacher: llmlingua over ${values.scorer})`);
  await models.dispose();
}

await main();
