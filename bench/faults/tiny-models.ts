import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const tinyRandom = fileURLToPath(new URL("../../models/tiny-random", import.meta.url));

/**
 * A `--models` file naming models/tiny-random as scorer and decoder: the fault suite's and queue tests' timings
 * and window checks are sized for its speed and its 512-token window.
 */
export function tinyRandomModelsFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ctxpress-models-")), "models.json");
  writeFileSync(
    file,
    JSON.stringify({
      scorer: { type: "onnx", model: tinyRandom },
      decoder: { type: "onnx", model: tinyRandom },
    }),
  );
  return file;
}
