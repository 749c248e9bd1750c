import { type SuiteInput, suiteSchema } from "./types.js";

const RATES = [1 / 2, 1 / 4, 1 / 10, 1 / 20];
const DEPTHS = [0, 0.25, 0.5, 0.75, 1];
const POSITIONS = [1, 5, 10, 15, 20];

/**
 * The full grid at 2K, 8K, 32K and 128K tokens. Samples thin out with length: one 128K-token
 * prompt costs ~25 s per perplexity-method compression on 2 CPU cores, so 128K has one sample
 * per task and the tables say so (n per cell). 2K is the only length whose uncompressed prompt
 * fits the embedded reader, so it carries the most samples (the goals compare against it). The
 * run is resumable and takes about 37 minutes on 2 CPU cores (measured in docs/BENCHMARKS.md).
 */
export const FULL_SUITE = suiteSchema.parse({
  name: "full",
  description: "all methods × 4 rates × 5 tasks at 2K, 8K, 32K and 128K tokens",
  rates: RATES,
  groups: [
    { task: "passkey", lengths: [2000], depths: DEPTHS, samples: 4 },
    { task: "multi-key", lengths: [2000], depths: DEPTHS, samples: 4 },
    { task: "multi-value", lengths: [2000], samples: 10 },
    { task: "variable-tracking", lengths: [2000], samples: 10 },
    { task: "doc-qa", lengths: [2000], positions: POSITIONS, samples: 6 },
    { task: "passkey", lengths: [8000], depths: DEPTHS, samples: 2 },
    { task: "multi-key", lengths: [8000], depths: DEPTHS, samples: 2 },
    { task: "multi-value", lengths: [8000], samples: 4 },
    { task: "variable-tracking", lengths: [8000], samples: 4 },
    { task: "doc-qa", lengths: [8000], positions: POSITIONS, samples: 2 },
    { task: "passkey", lengths: [32000], depths: DEPTHS, samples: 1 },
    { task: "multi-key", lengths: [32000], depths: [0.5], samples: 1 },
    { task: "multi-value", lengths: [32000], samples: 1 },
    { task: "variable-tracking", lengths: [32000], samples: 1 },
    { task: "doc-qa", lengths: [32000], positions: [1, 10, 20], samples: 1 },
    { task: "passkey", lengths: [128000], depths: [0.5], samples: 1 },
    { task: "multi-key", lengths: [128000], depths: [0.5], samples: 1 },
    { task: "doc-qa", lengths: [128000], positions: [10], samples: 1 },
  ],
} satisfies SuiteInput);
