/**
 * Scorer settings side by side (issue 15 item 2): the same held-out document scored by several
 * variants of the scorer (dtype, intra-op threads, graph optimization, logits budget, which sets
 * the cache stream's chunk), loaded together and run in turns, rep after rep, with the fp32
 * matmul peak of each variant's thread setting measured in the same turns. On a shared machine
 * the turns put every variant under the same load, and CPU seconds (not wall) compare them.
 *
 *   npx tsx bench/scorer/variants.ts [--model models/ctxpress-5m] [--tokens 10000] [--reps 5]
 *       [--variants "fp32;q8;fp32 threads=1;fp32 logits=32;fp32 opt=extended"]
 *
 * A variant is a dtype followed by optional `threads=N`, `opt=disabled|basic|extended|all`,
 * `logits=MiB` (the logits budget: chunk = budget / (vocab x 4 bytes), capped by the window).
 * Reports per variant the median and best CPU seconds, model GFLOP per CPU-second and its
 * fraction of the peak's GFLOP per CPU-second (medians of both).
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { CausalLm } from "../../src/model/causal-lm.js";
import { DEFAULT_SCORER_MODEL } from "../../src/model/defaults.js";
import { MODEL_DTYPES, type ModelDtype } from "../../src/model/model-folder.js";
import { OnnxScorer } from "../../src/model/onnx-scorer.js";
import type { SessionSettings } from "../../src/model/session.js";
import { heldOutDocument } from "./documents.js";
import { scoringWork } from "./flops.js";
import { measureMatmulPeak } from "./matmul-peak.js";

const { values: args } = parseArgs({
  options: {
    model: { type: "string", default: DEFAULT_SCORER_MODEL },
    tokens: { type: "string", default: "10000" },
    reps: { type: "string", default: "5" },
    variants: { type: "string", default: "fp32;q8;fp32 threads=1;q8 threads=1;fp32 logits=32" },
  },
});

interface Variant {
  readonly name: string;
  readonly dtype: ModelDtype;
  readonly session: SessionSettings;
  readonly maxLogitsBytes: number | undefined;
}

function parseVariant(spec: string): Variant {
  const [dtype = "", ...settings] = spec.trim().split(/\s+/);
  if (!MODEL_DTYPES.includes(dtype as ModelDtype)) {
    throw new Error(`variant "${spec}": dtype must be one of ${MODEL_DTYPES.join(", ")}`);
  }
  const session: { intraOpThreads?: number; graphOptimization?: string } = {};
  let maxLogitsBytes: number | undefined;
  for (const setting of settings) {
    const [key, value = ""] = setting.split("=");
    if (key === "threads") session.intraOpThreads = Number(value);
    else if (key === "opt") session.graphOptimization = value;
    else if (key === "logits") maxLogitsBytes = Number(value) * 1024 * 1024;
    else throw new Error(`variant "${spec}": unknown setting ${setting}`);
  }
  return {
    name: spec.trim(),
    dtype: dtype as ModelDtype,
    session: session as SessionSettings,
    maxLogitsBytes,
  };
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const cpuSecondsOf = async (work: () => Promise<unknown>) => {
  const before = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1e6;
};

const variants = (args.variants ?? "").split(";").map(parseVariant);
const loaded = [];
for (const variant of variants) {
  const lm = await CausalLm.load(args.model ?? DEFAULT_SCORER_MODEL, {
    dtype: variant.dtype,
    session: variant.session,
    maxLogitsBytes: variant.maxLogitsBytes,
  });
  loaded.push({ variant, lm, scorer: new OnnxScorer(lm), cpuSeconds: [] as number[] });
}
const first = loaded[0];
if (first === undefined) throw new Error("--variants names none");
const document = heldOutDocument(first.lm.tokenizer, Number(args.tokens));
// The peak depends on the thread setting only; one series per distinct setting.
const threadKey = (v: Variant) => String(v.session.intraOpThreads ?? "default");
const peaks = new Map(variants.map((v) => [threadKey(v), [] as number[]]));

for (const { scorer } of loaded) await scorer.logprobs({ tokens: document.tokens }); // warm-up
for (let rep = 0; rep < Number(args.reps); rep++) {
  // Rotate the order so no variant always runs first in a rep.
  for (let i = 0; i < loaded.length; i++) {
    const entry = loaded[(i + rep) % loaded.length];
    if (entry === undefined) continue;
    entry.cpuSeconds.push(
      await cpuSecondsOf(() => entry.scorer.logprobs({ tokens: document.tokens })),
    );
  }
  for (const [key, series] of peaks) {
    const threads = key === "default" ? undefined : Number(key);
    series.push((await measureMatmulPeak({ intraOpThreads: threads })).flopsPerCpuSecond);
  }
}

console.log(
  `Scorer variants side by side: ${args.model}, ${args.tokens} held-out tokens, ${args.reps} reps in turns; ` +
    `${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} at the end`,
);
for (const [key, series] of peaks) {
  console.log(
    `matmul peak, threads ${key}: median ${(median(series) / 1e9).toFixed(1)} GFLOP per CPU-second (runs: ${series.map((p) => (p / 1e9).toFixed(0)).join(", ")})`,
  );
}
console.log("");
console.log(
  "| variant | chunk | CPU s (median) | CPU s (best) | model GFLOP per CPU-s (median) | % of peak (CPU time, medians) | CPU s of the runs |",
);
console.log("|---|---:|---:|---:|---:|---:|---|");
for (const { variant, lm, scorer, cpuSeconds } of loaded) {
  const { flops } = scoringWork(scorer, lm.config, document.tokens);
  const rate = flops / median(cpuSeconds);
  const peak = median(peaks.get(threadKey(variant)) ?? [Number.NaN]);
  console.log(
    `| ${variant.name} | ${scorer.cacheStream?.chunk ?? "–"} | ${median(cpuSeconds).toFixed(2)} | ${Math.min(...cpuSeconds).toFixed(2)} | ` +
      `${(rate / 1e9).toFixed(1)} | ${((100 * rate) / peak).toFixed(1)} | ${cpuSeconds.map((s) => s.toFixed(2)).join(", ")} |`,
  );
}
for (const { lm } of loaded) await lm.dispose();
