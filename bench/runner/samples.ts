import { z } from "zod";
import { findNonTextCharacter } from "../../src/compressors/text-validation.js";
import type { Suite, TaskGroup } from "../suites/types.js";
import {
  corpusHaystack,
  docQa,
  type HaystackSource,
  multiKey,
  multiValue,
  passkey,
  readerPrompt,
  scoreSample,
  TASK_NAMES,
  type TaskSample,
  type TokenCounter,
  variableTracking,
} from "../tasks/index.js";

/** How to rebuild a sample exactly: stored with every result, so a result can be re-checked. */
export const generatedRefSchema = z.strictObject({
  kind: z.literal("generated"),
  task: z.enum(TASK_NAMES),
  lengthTokens: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  depth: z.number().min(0).max(1).optional(),
  position: z.number().int().positive().optional(),
  documents: z.number().int().positive().optional(),
});
export type GeneratedRef = z.output<typeof generatedRefSchema>;

export const datasetRefSchema = z.strictObject({
  kind: z.literal("dataset"),
  /** The file's name without its extension. */
  dataset: z.string(),
  /** 1-based line of the record in the file. */
  line: z.number().int().positive(),
});
export type DatasetRef = z.output<typeof datasetRefSchema>;

export const sampleRefSchema = z.discriminatedUnion("kind", [generatedRefSchema, datasetRefSchema]);
export type SampleRef = z.output<typeof sampleRefSchema>;

/** What the runner knows of a sample before building it (enough for its place in the tables). */
export interface SampleSource {
  /** Unique within a run, and the same in every run: part of each result's key. */
  readonly id: string;
  readonly ref: SampleRef;
  /** A generator's task name, or "dataset:<name>". */
  readonly task: string;
  /** Length bucket shown in tables ("2K", "8K", … or "mixed" for a dataset). */
  readonly lengthLabel: string;
  /** Depth of the queried needle (0 = start, 1 = end), when the task has one. */
  readonly depth: number | null;
  /** 1-based position of the answer document, for multi-document QA. */
  readonly position: number | null;
  /** Builds the sample (generation of a 128K-token haystack takes seconds: only when needed). */
  load(): BenchSample;
}

/** What the runner needs of a sample, generated or loaded from a user's dataset. */
export interface BenchSample extends Omit<SampleSource, "load"> {
  readonly instruction: string;
  readonly contexts: readonly string[];
  readonly question: string;
  /** Start of the answer the reader continues ("The pass key is"); may be empty. */
  readonly answerPrefix: string;
  readonly answers: readonly string[];
  /** The task's own metric over the reader's continuation, in [0, 1]. */
  score(prediction: string): number;
}

/** What generated samples are built from: the reader's token counter and held-out text. */
export interface GenerationContext {
  readonly countTokens: TokenCounter;
  readonly haystack: HaystackSource;
}

let heldOut: HaystackSource | undefined;

/**
 * The held-out split without the few paragraphs that hold control characters (C1 codes in some
 * e-mails): every compressor refuses such text, and a sample is about the method, not the input.
 */
export function heldOutHaystack(): HaystackSource {
  if (heldOut === undefined) {
    const source = corpusHaystack("heldout");
    heldOut = {
      name: `${source.name}-text`,
      paragraphs: source.paragraphs.filter((p) => findNonTextCharacter(p) === null),
    };
  }
  return heldOut;
}

export function heldOutGeneration(countTokens: TokenCounter): GenerationContext {
  return { countTokens, haystack: heldOutHaystack() };
}

/**
 * Seeds of benchmark samples live at 80M and above: training data uses 1M–3.1M and 9M–9.2M,
 * the model evaluation 50M+, so no benchmark sample was ever trained or tuned on.
 */
const SEED_BASE = 80_000_000;

/** FNV-1a over the sample's coordinates: seeds stay put when a suite gains or loses groups. */
export function sampleSeed(coordinates: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < coordinates.length; i++) {
    hash ^= coordinates.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return SEED_BASE + (hash % 10_000_000);
}

/** "2K" for 2,000 tokens, "128K" for 128,000, "1.5K" for 1,500. */
export function lengthLabel(tokens: number): string {
  return tokens >= 1000 ? `${Number((tokens / 1000).toFixed(1))}K` : String(tokens);
}

/** Every sample reference a group asks for: samples × lengths × placements. */
export function groupRefs(group: TaskGroup): GeneratedRef[] {
  const placements: Array<{ depth?: number; position?: number }> = group.depths
    ? group.depths.map((depth) => ({ depth }))
    : group.positions
      ? group.positions.map((position) => ({ position }))
      : [{}];
  const documents = group.task === "doc-qa" ? { documents: group.documents ?? 20 } : {};
  return group.lengths.flatMap((lengthTokens) =>
    placements.flatMap((placement) =>
      Array.from({ length: group.samples }, (_, i) => {
        const where = placement.depth ?? placement.position ?? "-";
        return {
          kind: "generated" as const,
          task: group.task,
          lengthTokens,
          seed: sampleSeed(`${group.task}|${lengthTokens}|${where}|${i}`),
          ...placement,
          ...documents,
        };
      }),
    ),
  );
}

/** The suite's samples, shortest length first (a partial run then holds whole short cells). */
export function suiteRefs(suite: Suite): GeneratedRef[] {
  const seen = new Set<string>();
  return suite.groups
    .flatMap(groupRefs)
    .filter((ref) => {
      const key = JSON.stringify(ref);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.lengthTokens - b.lengthTokens);
}

/** "passkey-2000-s80123456-d0.5": task, length, seed and placement. */
export function refId(ref: GeneratedRef): string {
  const placement =
    ref.depth !== undefined
      ? `-d${ref.depth}`
      : ref.position !== undefined
        ? `-p${ref.position}of${ref.documents ?? 20}`
        : "";
  return `${ref.task}-${ref.lengthTokens}-s${ref.seed}${placement}`;
}

/** A generated sample, built on each `load()` (the runner keeps it while its cells run). */
export function generatedSource(ref: GeneratedRef, context: GenerationContext): SampleSource {
  return {
    id: refId(ref),
    ref,
    task: ref.task,
    lengthLabel: lengthLabel(ref.lengthTokens),
    depth: ref.depth ?? null,
    position: ref.position ?? null,
    load: () => generateSample(ref, context),
  };
}

function generateTask(ref: GeneratedRef, context: GenerationContext): TaskSample {
  const base = { seed: ref.seed, lengthTokens: ref.lengthTokens, ...context };
  switch (ref.task) {
    case "passkey":
      return passkey({ ...base, depth: ref.depth ?? 0.5 });
    case "multi-key":
      return multiKey({ ...base, depth: ref.depth ?? 0.5 });
    case "multi-value":
      return multiValue(base);
    case "variable-tracking":
      return variableTracking(base);
    case "doc-qa":
      return docQa({ ...base, position: ref.position ?? 1, documents: ref.documents ?? 20 });
  }
}

/** Rebuilds a generated sample; the same reference and counter give the same text. */
export function generateSample(ref: GeneratedRef, context: GenerationContext): BenchSample {
  const sample = generateTask(ref, context);
  return {
    id: refId(ref),
    ref,
    task: sample.task,
    lengthLabel: lengthLabel(ref.lengthTokens),
    instruction: sample.instruction,
    contexts: sample.contexts,
    question: sample.question,
    answerPrefix: sample.answerPrefix,
    answers: sample.answers,
    depth: sample.meta.depth ?? null,
    position: sample.meta.position ?? null,
    score: (prediction) => scoreSample(sample, prediction),
  };
}

/**
 * The prompt the reader gets: the generators' reader format (instruction, contexts, "Question:",
 * "Answer:" and the answer prefix) over the given contexts. No trailing space when a dataset
 * has no answer prefix.
 */
export function benchPrompt(sample: BenchSample, contexts: readonly string[]): string {
  return readerPrompt({ ...sample, contexts }).trimEnd();
}
