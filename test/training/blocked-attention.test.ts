import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT, runPython } from "../helpers/training-run.js";

// The trainer computes attention in blocks of query rows (ctxtrain/model.py, causal_attention);
// the ONNX export traces the masked full attention. Both must be the same function.
it("blocked causal attention equals the masked full attention, forward and backward", () => {
  const out = runPython(
    [join(REPO_ROOT, "test/training/fixtures/blocked_attention.py")],
    join(REPO_ROOT, "training"),
  );
  const result = JSON.parse(out) as {
    blocks: number;
    hidden_max_diff: number;
    grad_max_diff: number;
    grad_max: number;
  };
  expect(result.blocks).toBeGreaterThan(1);
  expect(result.grad_max).toBeGreaterThan(0);
  expect(result.hidden_max_diff).toBeLessThan(1e-5);
  expect(result.grad_max_diff).toBeLessThan(1e-6);
}, 60_000);
