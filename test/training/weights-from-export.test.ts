import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { REPO_ROOT, runPython } from "../helpers/training-run.js";

// A run's checkpoint lives in an ignored folder; checkpoint_from_export.py rebuilds it from the
// committed fp32 graph so training can continue on a machine that never had it.
it("a model folder's fp32 graph gives back the weights torch exported", () => {
  const out = runPython(
    [
      join(REPO_ROOT, "test/training/fixtures/weights_from_export.py"),
      join(REPO_ROOT, "models/tiny-random"),
      join(REPO_ROOT, "models/ctxpress-reader"),
    ],
    join(REPO_ROOT, "training"),
  );
  const result = JSON.parse(out) as Record<
    string,
    { parameters: number; tokens: number; max_diff: number }
  >;
  for (const name of ["tiny-random", "ctxpress-reader"]) {
    expect(result[name]?.tokens).toBeGreaterThan(10);
    // The check's own tolerance for ONNX Runtime against torch is 1e-3.
    expect(result[name]?.max_diff).toBeLessThan(1e-4);
  }
  // embed + 2 layers × 9 + final norm + the tied head.
  expect(result["ctxpress-reader"]?.parameters).toBe(21);
}, 60_000);

const runDir = mkdtempSync(join(tmpdir(), "ctxpress-from-export-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

it("writes a weights-only checkpoint at the given step and refuses to overwrite it", () => {
  const command = [
    join(REPO_ROOT, "training/checkpoint_from_export.py"),
    join(REPO_ROOT, "training/configs/ctxpress-reader.json"),
    "--step",
    "4150",
    "--run-dir",
    runDir,
  ];
  expect(runPython(command, join(REPO_ROOT, "training"))).toContain("step 4150");
  expect(existsSync(join(runDir, "checkpoint.pt"))).toBe(true);
  expect(() => runPython(command, join(REPO_ROOT, "training"))).toThrow(/exists/);
}, 60_000);
