/** Number formats shared by the Markdown report and the stdout summary. */

export const percent = (x: number | null, digits = 1): string =>
  x === null ? "–" : `${(100 * x).toFixed(digits)}%`;

export const times = (x: number | null): string =>
  x === null ? "–" : Number.isFinite(x) ? `${x.toFixed(1)}x` : "∞";

export const milliseconds = (x: number | null): string =>
  x === null ? "–" : Math.round(x).toLocaleString("en-US");

/** "1/4" for 0.25, "1" for 1. */
export const rateLabel = (rate: number): string =>
  rate === 1 ? "1" : Number.isInteger(1 / rate) ? `1/${1 / rate}` : rate.toFixed(3);

/** A Markdown table; cells must not hold "|". */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A plain-text table for the terminal, columns padded. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
