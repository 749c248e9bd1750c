/**
 * The fault suite's short version (bench/faults): real worker processes, a real Redis of its own,
 * real SIGKILLs, a Redis restart and a CLIENT PAUSE past the lock. Short locks keep it bounded;
 * `npm run faults` runs the long version with the workers' default locks.
 */
import { describe, expect, it } from "vitest";
import { formatReport, runFaults } from "../../bench/faults/fault-run.js";

describe("fault suite (short)", () => {
  it("loses nothing, fails only bad input, and orphans no process", async () => {
    const report = await runFaults({
      jobs: 100,
      badJobs: 2,
      contextChars: 1_200,
      workers: 3,
      concurrency: 2,
      kills: 3,
      seed: 7,
      lockDurationMs: 3_000,
      stalledIntervalMs: 1_500,
      timeoutMs: 200_000,
      log: () => {},
    });
    const summary = formatReport(report);
    expect(report.enqueued, summary).toBe(102);
    expect(report.lost, summary).toEqual([]);
    expect(report.failedOther, summary).toEqual([]);
    expect(report.completed, summary).toBe(100);
    expect(report.failedBadInput, summary).toBe(2);
    expect(report.kills, summary).toBe(3);
    expect(report.orphans, summary).toBe(0);
    expect(report.unhandledErrorLines, summary).toBe(0);
  }, 300_000);
});
