import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(ROOT, "node_modules/.bin/depcruise");

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** dependency-cruiser's verdict on `paths` under `cwd`, with the repository's rules. */
async function cruise(cwd: string, paths: readonly string[]): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(
    DEPCRUISE,
    [...paths, "--config", CONFIG, "--output-type", "json"],
    { cwd, maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(stdout).summary.violations;
}

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe("layers (.dependency-cruiser.cjs)", () => {
  it("hold in this repository", async () => {
    const violations = await cruise(ROOT, ["src", "queues", "bench"]);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  it("catch each kind of breach", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ctxpress-layers-"));
    scratch.push(dir);
    const files: Record<string, string> = {
      "queues/names.ts": 'import { helper } from "../src/helper.js";\nexport const n = helper;\n',
      "src/helper.ts": 'import { run } from "../bench/run.js";\nexport const helper = run;\n',
      "bench/run.ts": "export const run = 1;\n",
      "src/compressors/store.ts": 'import { Redis } from "ioredis";\nexport const r = Redis;\n',
      "src/a.ts": 'import type { B } from "./b.js";\nexport type A = B | 1;\n',
      "src/b.ts": 'import type { A } from "./a.js";\nexport type B = A | 2;\n',
      "tsconfig.json": JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true },
      }),
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    await symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const violations = await cruise(dir, ["src", "queues", "bench"]);
    const rules = new Set(violations.map((v) => v.rule.name));
    expect([...rules].sort()).toEqual([
      "compressors-never-touch-redis",
      "no-circular-imports",
      "product-never-imports-bench",
      "queues-import-nothing-from-src",
    ]);
  });
});
