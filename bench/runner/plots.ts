import { writeFileSync } from "node:fs";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import type { CellSummary, PlacementSummary } from "./aggregate.js";
import { NONE } from "./cell.js";
import { rateLabel } from "./format.js";

/**
 * The report's charts as Vega-Lite specs, rendered headless to SVG (vega) and PNG (resvg).
 * Text uses DejaVu Sans, which resvg finds among the system fonts.
 */
type VegaLiteSpec = vegaLite.TopLevelSpec;

const FONT = "DejaVu Sans";
const CONFIG = {
  font: FONT,
  background: "white",
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  header: { labelFontSize: 12, titleFontSize: 13 },
  title: { fontSize: 15 },
} as const;
/** Distinct colours (Tableau 10, then two more), assigned in method order: stable across charts. */
const PALETTE = [
  "#000000",
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#17becf",
  "#8c564b",
];

/** Colour by method: the legend lists the methods present, each in its colour of `all`. */
function methodColor(all: readonly string[], present: ReadonlySet<string>) {
  const shown = all.filter((m) => present.has(m));
  return {
    field: "method",
    type: "nominal",
    scale: { domain: shown, range: shown.map((m) => PALETTE[all.indexOf(m) % PALETTE.length]) },
    sort: shown,
    title: "method",
  } as const;
}

/** Log-axis ticks a reader can name (1, 2, 5, 10, 20, 50, …), up to the first at or past `max`. */
function logTicks(max: number): number[] {
  const ticks = [1];
  for (let decade = 1; (ticks.at(-1) as number) < max; decade *= 10) {
    for (const step of [2, 5, 10]) {
      if ((ticks.at(-1) as number) < max) ticks.push(step * decade);
    }
  }
  return ticks;
}

export interface ChartData {
  readonly cells: readonly CellSummary[];
  readonly pooled: readonly CellSummary[];
  readonly placements: readonly PlacementSummary[];
  readonly lengths: readonly string[];
  readonly methods: readonly string[];
}

/**
 * Accuracy against achieved ratio, one line per method: a panel per task × length, or with
 * `pooled` one panel per length over all tasks' samples.
 */
export function accuracyVsRatioSpec(data: ChartData, pooled = false): VegaLiteSpec {
  const values = (pooled ? data.pooled : data.cells)
    .filter((c) => c.n > 0 && c.ratio !== null && Number.isFinite(c.ratio))
    .map((c) => ({
      task: c.task,
      length: c.lengthLabel,
      method: c.method,
      rate: c.method === NONE ? "uncompressed" : rateLabel(c.rate),
      ratio: c.ratio,
      accuracy: 100 * (c.accuracy ?? 0),
      low: 100 * (c.interval?.[0] ?? 0),
      high: 100 * (c.interval?.[1] ?? 0),
      n: c.n,
    }));
  const ticks = logTicks(Math.max(1, ...values.map((v) => v.ratio as number)));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Answer accuracy vs compression ratio",
      subtitle: [
        "x: achieved ratio = original ÷ compressed prompt, in the reader's tokens; one point per requested rate",
        "y: the task's own accuracy metric; the uncompressed prompt sits at 1x where it fits the reader's window",
      ],
    },
    data: { values },
    facet: pooled
      ? {
          column: {
            field: "length",
            type: "ordinal",
            sort: [...data.lengths],
            title: "prompt length, all tasks pooled",
          },
        }
      : {
          row: {
            field: "length",
            type: "ordinal",
            sort: [...data.lengths],
            title: "prompt length",
          },
          column: { field: "task", type: "nominal", title: "task" },
        },
    spec: {
      width: 190,
      height: 150,
      layer: [
        {
          mark: { type: "line", point: { filled: true, size: 45 }, strokeWidth: 1.5 },
          encoding: {
            x: {
              field: "ratio",
              type: "quantitative",
              scale: { type: "log", domain: [1, ticks.at(-1) as number] },
              axis: { values: ticks },
              title: "compression ratio (×, log)",
            },
            y: {
              field: "accuracy",
              type: "quantitative",
              scale: { domain: [0, 100] },
              title: "accuracy (%)",
            },
            color: methodColor(data.methods, new Set(values.map((v) => v.method))),
            order: { field: "ratio", type: "quantitative" },
            tooltip: [
              { field: "method" },
              { field: "rate" },
              { field: "ratio", format: ".1f" },
              { field: "accuracy", format: ".1f" },
              { field: "n" },
            ],
          },
        },
      ],
    },
    config: CONFIG,
  } as VegaLiteSpec;
}

/** What a placement heat-map colours its cells by. */
export type PlacementMeasure = "accuracy" | "retention";

const MEASURE_NAMES: Record<PlacementMeasure, string> = {
  accuracy: "accuracy",
  retention: "answer kept",
};

/**
 * Accuracy, or answer kept, by placement (needle depth or answer position) × length, per method
 * and rate. Cells without the measure (answer kept of vector methods) are left out.
 */
export function placementHeatmapSpec(
  data: ChartData,
  task: string,
  measure: PlacementMeasure = "accuracy",
): VegaLiteSpec | null {
  const group = data.placements.filter((p) => p.task === task && p[measure] !== null);
  if (group.length === 0) return null;
  const axis = group[0]?.axis ?? "depth";
  const values = group.map((p) => ({
    method: p.method,
    rate: p.method === NONE ? "uncompressed" : `rate ${rateLabel(p.rate)}`,
    length: p.lengthLabel,
    at: p.at,
    value: 100 * (p[measure] ?? 0),
    label: `${Math.round(100 * (p[measure] ?? 0))}`,
    n: p.n,
  }));
  const methods = data.methods.filter((m) => values.some((v) => v.method === m));
  const rates = [...new Set(group.filter((p) => p.method !== NONE).map((p) => p.rate))]
    .sort((a, b) => b - a)
    .map((r) => `rate ${rateLabel(r)}`);
  const name = MEASURE_NAMES[measure];
  const placement = axis === "depth" ? "needle depth" : "answer position";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `${task}: ${name} (%) by ${placement} × prompt length`,
      subtitle: [
        `rows: method; columns: requested rate; cell text and colour: ${name} %${
          measure === "retention" ? " (gold answer still verbatim in what the reader got)" : ""
        }`,
        axis === "depth"
          ? "depth: where the needle sits, 0 = start of the context, 1 = end; prompt length in reader tokens"
          : "position: the answer document's 1-based place among the documents; prompt length in reader tokens",
      ],
    },
    data: { values },
    facet: {
      row: {
        field: "method",
        type: "nominal",
        sort: methods,
        title: "method",
        header: { labelAngle: 0, labelAlign: "left" },
      },
      column: { field: "rate", type: "ordinal", sort: ["uncompressed", ...rates], title: null },
    },
    spec: {
      width: { step: 40 },
      height: { step: 22 },
      encoding: {
        x: {
          field: "length",
          type: "ordinal",
          sort: [...data.lengths],
          title: "prompt length",
          axis: { labelAngle: 0 },
        },
        // A short title: a facet row is as tall as its placements, "needle depth" would overrun it.
        y: {
          field: "at",
          type: "ordinal",
          sort: "ascending",
          title: axis === "depth" ? "depth" : "position",
        },
      },
      layer: [
        {
          mark: "rect",
          encoding: {
            color: {
              field: "value",
              type: "quantitative",
              scale: { domain: [0, 100], scheme: "viridis" },
              title: `${name} (%)`,
            },
          },
        },
        {
          mark: { type: "text", fontSize: 9 },
          encoding: {
            text: { field: "label" },
            color: { condition: { test: "datum.value < 60", value: "white" }, value: "black" },
          },
        },
      ],
    },
    config: CONFIG,
  } as VegaLiteSpec;
}

/** Compression and end-to-end latency against the original prompt length, per method. */
export function latencySpec(data: ChartData): VegaLiteSpec {
  const rows: Array<{ method: string; tokens: number; measure: string; ms: number }> = [];
  for (const method of data.methods) {
    for (const length of data.lengths) {
      const cells = data.pooled.filter(
        (c) => c.method === method && c.lengthLabel === length && c.n > 0,
      );
      const weighted = (pick: (c: CellSummary) => number | null) => {
        const usable = cells.filter((c) => pick(c) !== null);
        const n = usable.reduce((s, c) => s + c.n, 0);
        return n === 0 ? null : usable.reduce((s, c) => s + (pick(c) as number) * c.n, 0) / n;
      };
      const tokens = weighted((c) => c.originalTokens);
      if (tokens === null) continue;
      const compress = weighted((c) => c.compressMs);
      const endToEnd = weighted((c) => c.endToEndMs);
      if (method !== NONE && compress !== null && compress > 0) {
        rows.push({ method, tokens, measure: "compression only", ms: compress });
      }
      if (endToEnd !== null && endToEnd > 0) {
        rows.push({ method, tokens, measure: "end to end: compression + answer", ms: endToEnd });
      }
    }
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Latency vs prompt length",
      subtitle: "mean per prompt over tasks and rates; uncompressed only where it fits the reader",
    },
    data: { values: rows },
    facet: {
      column: {
        field: "measure",
        type: "nominal",
        sort: ["compression only", "end to end: compression + answer"],
        title: null,
      },
    },
    spec: {
      width: 320,
      height: 240,
      mark: { type: "line", point: { filled: true, size: 45 } },
      encoding: {
        x: {
          field: "tokens",
          type: "quantitative",
          scale: { type: "log", nice: false },
          title: "original prompt length (reader tokens, log scale)",
        },
        y: {
          field: "ms",
          type: "quantitative",
          scale: { type: "log" },
          title: "latency per prompt (ms, log scale)",
        },
        color: methodColor(data.methods, new Set(rows.map((r) => r.method))),
        order: { field: "tokens", type: "quantitative" },
      },
    },
    config: CONFIG,
  } as VegaLiteSpec;
}

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
  })
    .render()
    .asPng();
}

/** Renders every chart into `dir` as NAME.svg and NAME.png; returns the file names. */
export async function writePlots(dir: string, data: ChartData): Promise<string[]> {
  const specs: Array<[string, VegaLiteSpec | null]> = [
    ["accuracy-vs-ratio", data.cells.some((c) => c.n > 0) ? accuracyVsRatioSpec(data) : null],
    [
      "accuracy-vs-ratio-pooled",
      data.pooled.some((c) => c.n > 0) ? accuracyVsRatioSpec(data, true) : null,
    ],
    ...[...new Set(data.placements.map((p) => p.task))].flatMap(
      (task): Array<[string, VegaLiteSpec | null]> => [
        [`heatmap-${task}`, placementHeatmapSpec(data, task, "accuracy")],
        [`kept-${task}`, placementHeatmapSpec(data, task, "retention")],
      ],
    ),
    ["latency-vs-length", latencySpec(data)],
  ];
  const files: string[] = [];
  for (const [name, spec] of specs) {
    if (spec === null) continue;
    const svg = await renderSvg(spec);
    writeFileSync(path.join(dir, `${name}.svg`), svg);
    writeFileSync(path.join(dir, `${name}.png`), svgToPng(svg));
    files.push(`${name}.svg`, `${name}.png`);
  }
  return files;
}
