/**
 * `npm run demo` end to end (~20 s on 2 shared cores): a worker, the example document through
 * the queue with the embedded models, the answer, a clean shutdown. Runs scripts/demo.ts itself:
 * `npm run demo` only adds scripts/setup.sh (dependencies, Redis), which the suite has done.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/model/defaults.js";
import { TEST_REDIS_URL } from "../queue/redis-fixture.js";

const example = JSON.parse(
  readFileSync(path.join(PACKAGE_ROOT, "examples", "long-document.json"), "utf8"),
) as { answer: string };

describe("npm run demo", () => {
  it("compresses with landmark, keeps the planted fact, and the embedded reader answers it", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      cwd: PACKAGE_ROOT,
      encoding: "utf8",
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL },
      timeout: 110_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^method: landmark; decoder window: 2048 tokens/m);
    expect(out).toMatch(/^planted fact kept in the compressed prompt: yes$/m);
    expect(out).toMatch(new RegExp(`^answer: " ?${example.answer}\\."$`, "m"));
    expect(out).toMatch(/ctxpress-reader, \d+ prompt \+ \d+ answer tokens/);
    expect(out).toMatch(new RegExp(`^expected: ${example.answer} → found$`, "m"));
    expect(out).toMatch(/worker stopped cleanly on SIGTERM \(exit code 0\)/);
  });
});
