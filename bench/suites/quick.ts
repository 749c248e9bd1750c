import { type SuiteInput, suiteSchema } from "./types.js";

const RATES = [1 / 2, 1 / 4, 1 / 10, 1 / 20];

/**
 * Every method at every rate on every task, small enough for 10 minutes on 2 CPU cores with the
 * embedded models (measured in docs/BENCHMARKS.md). One sample per placement, 17 samples in all:
 * numbers to see the machinery and the broad picture, not to rank close methods (that is what
 * the full suite is for).
 */
export const QUICK_SUITE = suiteSchema.parse({
  name: "quick",
  description: "all methods × 4 rates × 5 tasks at 2K and 8K tokens, 1 sample per placement",
  rates: RATES,
  groups: [
    { task: "passkey", lengths: [2000], depths: [0, 0.5, 1], samples: 1 },
    { task: "passkey", lengths: [8000], depths: [0.5], samples: 1 },
    { task: "multi-key", lengths: [2000], depths: [0.25, 0.75], samples: 1 },
    { task: "multi-key", lengths: [8000], depths: [0.5], samples: 1 },
    { task: "multi-value", lengths: [2000], samples: 1 },
    { task: "variable-tracking", lengths: [2000], samples: 1 },
    { task: "doc-qa", lengths: [2000], positions: [1, 5, 10, 15, 20], samples: 1 },
    { task: "doc-qa", lengths: [8000], positions: [1, 10, 20], samples: 1 },
  ],
} satisfies SuiteInput);
