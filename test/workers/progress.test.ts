import { describe, expect, it } from "vitest";
import type { JobProgress } from "../../queues/schemas.js";
import { throttleProgress } from "../../src/workers/progress.js";

describe("throttleProgress", () => {
  it("passes stage changes and the end, and at most one update per interval otherwise", () => {
    const sent: JobProgress[] = [];
    let clock = 0;
    const report = throttleProgress(
      async (progress) => sent.push(progress),
      100,
      () => clock,
    );
    report({ stage: "coarse", fraction: 0.1 });
    clock = 10;
    report({ stage: "coarse", fraction: 0.2 });
    clock = 20;
    report({ stage: "fine", fraction: 0.3 });
    clock = 150;
    report({ stage: "fine", fraction: 0.5 });
    clock = 160;
    report({ stage: "fine", fraction: 0.6 });
    report({ stage: "fine", fraction: 1.2 });
    expect(sent).toEqual([
      { stage: "coarse", fraction: 0.1 },
      { stage: "fine", fraction: 0.3 },
      { stage: "fine", fraction: 0.5 },
      { stage: "fine", fraction: 1 },
    ]);
  });

  it("never lets a failed report escape", async () => {
    const report = throttleProgress(() => Promise.reject(new Error("redis down")));
    expect(() => report({ stage: "x", fraction: 0 })).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
});
