import { execFileSync, spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

/** The child script that runs one timed compression inside a checkout. */
export const CHILD_SCRIPT = "bench/scorer/end-to-end-once.ts";

/** One timed compression. */
export interface Timing {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/**
 * Puts this checkout's child script into `checkout` unless that checkout tracks its own version
 * (a later commit may have changed it together with the code it drives). An untracked copy left
 * by an earlier run is replaced, so an old checkout always runs the current script.
 */
export function installChild(checkout: string, from: string): void {
  if (path.resolve(checkout) === path.resolve(from)) return;
  try {
    execFileSync("git", ["ls-files", "--error-unmatch", CHILD_SCRIPT], {
      cwd: checkout,
      stdio: "ignore",
    });
  } catch {
    copyFileSync(path.join(from, CHILD_SCRIPT), path.join(checkout, CHILD_SCRIPT));
  }
}

/**
 * Runs the child script in `checkout` with that checkout's own tsx and code. Once the child has
 * warmed up, `beforeRun` is called (e.g. to read a worker's CPU time) and the child is told to
 * go; `afterRun` is called as soon as it reports its timing, before it shuts down.
 * @throws Error when the child fails or prints no timing.
 */
export function runChild(
  checkout: string,
  args: readonly string[],
  hooks: { beforeRun?: () => void; afterRun?: () => void } = {},
): Promise<Timing> {
  const child = spawn(path.join(checkout, "node_modules/.bin/tsx"), [CHILD_SCRIPT, ...args], {
    cwd: checkout,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let timing: Timing | undefined;
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line === "warmed") {
      hooks.beforeRun?.();
      child.stdin.end("go\n");
    } else if (line.startsWith("{")) {
      hooks.afterRun?.();
      timing = JSON.parse(line) as Timing;
    }
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (code === 0 && timing !== undefined) resolve(timing);
      else reject(new Error(`${CHILD_SCRIPT} in ${checkout} exited with ${code ?? signal}`));
    });
  });
}
