import { SingleBar } from "cli-progress";
import type { Progress } from "../compressors/types.js";

export interface ProgressDisplay {
  update(progress: Progress & { readonly step?: string }): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal, and nothing otherwise, so piped output and
 * logs never fill with redraws.
 */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    stream,
    format: "{step} {bar} {percentage}% | {stage}",
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update({ stage, fraction, step = "" }) {
      const value = Math.round(fraction * 100);
      if (!started) bar.start(100, value, { stage, step });
      else bar.update(value, { stage, step });
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
