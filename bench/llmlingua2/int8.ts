/**
 * What an int8 variant of the LLMLingua-2 classifier changes against its fp32 graph, on held-out
 * text:
 *   - keep probabilities: max and mean |difference| over every token;
 *   - keep decisions: at rate r each text keeps its top r share of tokens (as train.py scores
 *     the classifier); the share of tokens both graphs decide alike;
 *   - quality against teacher labels (`--labels`, make-labels.ts output): token accuracy and F1
 *     of "kept" at each teacher rate, and oracle needle tokens kept, computed as train.py does;
 *   - end to end: ctxpress `llmlingua2` at each rate over long held-out documents, kept-word
 *     agreement of the two compressions (bench/llmlingua2/agreement.ts);
 *   - classifier time: keepProbabilities over the documents' 510-token chunks, best of
 *     `--repeats` passes, wall and CPU (user + system) milliseconds.
 *
 *   npx tsx bench/llmlingua2/int8.ts --reference DIR:fp32 [--candidate DIR[:dtype]]... [--labels FILE]
 *     [--texts 12] [--words 1500] [--rates 0.33,0.5] [--repeats 3] [--threads 1]
 *
 * DIR:dtype loads that ONNX variant of the folder (no dtype: the folder's default, see
 * model-folder.ts). The candidate defaults to the shipped folder as it loads by default.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { runCompression } from "../../src/compressors/index.js";
import type { ModelProvider } from "../../src/compressors/types.js";
import { DEFAULT_CLASSIFIER_MODEL } from "../../src/model/defaults.js";
import { MODEL_DTYPES, type ModelDtype } from "../../src/model/model-folder.js";
import { OnnxTokenClassifier } from "../../src/model/token-classifier.js";
import { keptWordAgreement } from "./agreement.js";
import { heldoutDocuments } from "./heldout-documents.js";
import { readLabelledTexts, type TokenLabels, tokenLabels } from "./token-labels.js";

const { values } = parseArgs({
  options: {
    reference: { type: "string" },
    candidate: { type: "string", multiple: true, default: [DEFAULT_CLASSIFIER_MODEL] },
    labels: { type: "string" },
    texts: { type: "string", default: "12" },
    words: { type: "string", default: "1500" },
    rates: { type: "string", default: "0.33,0.5" },
    repeats: { type: "string", default: "3" },
    threads: { type: "string", default: "1" },
  },
});
if (!values.reference) throw new Error("--reference DIR:fp32 is required (the fp32 graph)");
const rates = values.rates.split(",").map(Number);
const threads = Number(values.threads);

async function load(spec: string): Promise<OnnxTokenClassifier> {
  const at = spec.lastIndexOf(":");
  const named = at > 0 ? spec.slice(at + 1) : "";
  const dtype = MODEL_DTYPES.includes(named as ModelDtype) ? (named as ModelDtype) : undefined;
  const dir = path.resolve(dtype ? spec.slice(0, at) : spec);
  return OnnxTokenClassifier.load(dir, {
    ...(dtype ? { dtype } : {}),
    session: { intraOpThreads: threads },
    log: () => {},
  });
}

/** The top `rate` share of a text's tokens by probability (stable: ties keep the earlier). */
function topShare(probabilities: Float32Array, rate: number): boolean[] {
  const k = Math.max(1, Math.round(rate * probabilities.length));
  const order = [...probabilities.keys()].sort(
    (a, b) => (probabilities[b] ?? 0) - (probabilities[a] ?? 0) || a - b,
  );
  const kept = new Array<boolean>(probabilities.length).fill(false);
  for (const index of order.slice(0, k)) kept[index] = true;
  return kept;
}

interface Tally {
  same: number;
  total: number;
}
const share = (t: Tally) => (t.total === 0 ? 1 : t.same / t.total);
const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

/** |difference| statistics and top-share decision agreement of two probability sets. */
function compare(
  reference: readonly Float32Array[],
  candidate: readonly Float32Array[],
): { max: number; mean: number; decisions: Map<number, Tally> } {
  let max = 0;
  let sum = 0;
  let count = 0;
  const decisions = new Map(rates.map((rate) => [rate, { same: 0, total: 0 }]));
  reference.forEach((row, i) => {
    const other = candidate[i] as Float32Array;
    row.forEach((p, t) => {
      const diff = Math.abs(p - (other[t] ?? Number.NaN));
      max = Math.max(max, diff);
      sum += diff;
      count++;
    });
    for (const rate of rates) {
      const a = topShare(row, rate);
      const b = topShare(other, rate);
      const tally = decisions.get(rate) as Tally;
      a.forEach((kept, t) => {
        if (kept === b[t]) tally.same++;
      });
      tally.total += a.length;
    }
  });
  return { max, mean: sum / Math.max(1, count), decisions };
}

/** train.py's agreement(): accuracy, F1 of kept and needle tokens kept at each teacher rate. */
function teacherAgreement(labels: readonly TokenLabels[], probabilities: readonly Float32Array[]) {
  const result = new Map<string, { accuracy: number; f1: number; needles: number }>();
  for (const rate of Object.keys(labels[0]?.teacher ?? {})) {
    let same = 0;
    let total = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let needleKept = 0;
    let needleTotal = 0;
    labels.forEach((text, i) => {
      const gold = text.teacher[rate] as boolean[];
      const kept = topShare(probabilities[i] as Float32Array, Number(rate));
      kept.forEach((k, t) => {
        const g = gold[t] === true;
        if (k === g) same++;
        if (k && g) tp++;
        if (k && !g) fp++;
        if (!k && g) fn++;
        if (text.kind !== "corpus" && text.needles[t]) {
          needleTotal++;
          if (k) needleKept++;
        }
      });
      total += kept.length;
    });
    result.set(rate, {
      accuracy: same / total,
      f1: (2 * tp) / Math.max(1, 2 * tp + fp + fn),
      needles: needleKept / Math.max(1, needleTotal),
    });
  }
  return result;
}

function chunks(classifier: OnnxTokenClassifier, texts: readonly string[]): number[][] {
  const out: number[][] = [];
  for (const text of texts) {
    const ids = classifier.tokenizer.encode(text);
    for (let at = 0; at < ids.length; at += classifier.maxContentTokens) {
      out.push(ids.slice(at, at + classifier.maxContentTokens));
    }
  }
  return out;
}

/**
 * Best of `repeats` passes (after one warm-up each) of keepProbabilities over every chunk, the
 * two classifiers alternating pass by pass so that both see the same load on a shared machine.
 */
async function timeBoth(classifiers: readonly OnnxTokenClassifier[], sequences: number[][]) {
  const best = classifiers.map(() => ({
    wall: Number.POSITIVE_INFINITY,
    cpu: Number.POSITIVE_INFINITY,
  }));
  for (const classifier of classifiers) await classifier.keepProbabilities(sequences.slice(0, 1));
  for (let r = 0; r < Number(values.repeats); r++) {
    for (const [i, classifier] of classifiers.entries()) {
      const started = performance.now();
      const usage = process.cpuUsage();
      await classifier.keepProbabilities(sequences);
      const used = process.cpuUsage(usage);
      const time = best[i] as { wall: number; cpu: number };
      time.wall = Math.min(time.wall, performance.now() - started);
      time.cpu = Math.min(time.cpu, (used.user + used.system) / 1000);
    }
  }
  return best;
}

async function compressAll(
  classifier: OnnxTokenClassifier,
  texts: readonly string[],
  rate: number,
) {
  const models: ModelProvider = {
    scorer: () => Promise.reject(new Error("llmlingua2 needs no scorer")),
    tokenClassifier: async () => classifier,
  };
  const prompts: string[] = [];
  for (const text of texts) {
    const result = await runCompression(
      { contexts: [text] },
      { method: "llmlingua2", rate },
      { models },
    );
    prompts.push(result.prompt);
  }
  return prompts;
}

const reference = await load(values.reference);
const docs = heldoutDocuments(Number(values.texts), Number(values.words));
const docChunks = chunks(reference, docs);
const labels = values.labels ? readLabelledTexts(values.labels) : [];
const labelTokens = labels.map((text) =>
  tokenLabels(text, reference.tokenizer, reference.maxContentTokens),
);
const referenceLabelled = await reference.keepProbabilities(labelTokens.map((t) => t.ids));
const referenceDocs = await reference.keepProbabilities(docChunks);
const referencePrompts = new Map<number, string[]>();
for (const rate of rates) referencePrompts.set(rate, await compressAll(reference, docs, rate));

console.log(
  `reference ${values.reference} (${reference.folder.onnxPath}); ${labels.length} labelled texts (${labelTokens.reduce((s, t) => s + t.ids.length, 0)} tokens), ${docs.length} documents (${docChunks.reduce((s, c) => s + c.length, 0)} tokens, ${docChunks.length} chunks); ${threads} thread(s)`,
);
const teacherRows = (name: string, probabilities: readonly Float32Array[]) => {
  for (const [rate, a] of teacherAgreement(labelTokens, probabilities)) {
    console.log(
      `  ${name.padEnd(10)} teacher rate ${rate}: accuracy ${percent(a.accuracy)}, F1 of kept ${a.f1.toFixed(4)}, needle tokens kept ${percent(a.needles)}`,
    );
  }
};
if (labels.length > 0) teacherRows("reference", referenceLabelled);

for (const spec of values.candidate) {
  const candidate = await load(spec);
  console.log(`candidate ${spec} (${candidate.folder.onnxPath}, ${candidate.folder.dtype})`);
  const labelled = await candidate.keepProbabilities(labelTokens.map((t) => t.ids));
  const docProbabilities = await candidate.keepProbabilities(docChunks);
  for (const [name, result] of [
    ["labelled", compare(referenceLabelled, labelled)],
    ["documents", compare(referenceDocs, docProbabilities)],
  ] as const) {
    const decisions = [...result.decisions]
      .map(([rate, tally]) => `rate ${rate} ${percent(share(tally))}`)
      .join(", ");
    console.log(
      `  ${name.padEnd(10)} |p - p_ref| max ${result.max.toFixed(4)}, mean ${result.mean.toFixed(5)}; same top-share decisions: ${decisions}`,
    );
  }
  if (labels.length > 0) teacherRows("candidate", labelled);
  for (const rate of rates) {
    const agreement = keptWordAgreement(
      docs,
      referencePrompts.get(rate) ?? [],
      await compressAll(candidate, docs, rate),
      (text) => reference.tokenizer.encodeWithSpans(text),
      (ids) => reference.pieces(ids),
    );
    console.log(
      `  llmlingua2 rate ${rate}: kept-word agreement ${percent(agreement.agreement)} of ${agreement.words} words (only fp32 ${agreement.onlyOurs}, only candidate ${agreement.onlyPeer})`,
    );
  }
  const [ref, time] = (await timeBoth([reference, candidate], docChunks)) as [
    { wall: number; cpu: number },
    { wall: number; cpu: number },
  ];
  console.log(
    `  classifier time over the documents (best of ${values.repeats}): reference ${ref.wall.toFixed(0)} ms wall, ${ref.cpu.toFixed(0)} ms CPU; candidate ${time.wall.toFixed(0)} ms wall, ${time.cpu.toFixed(0)} ms CPU (CPU ratio ${(ref.cpu / time.cpu).toFixed(2)}x)`,
  );
  await candidate.dispose();
}
await reference.dispose();
