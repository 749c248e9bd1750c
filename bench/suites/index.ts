import { FULL_SUITE } from "./full.js";
import { QUICK_SUITE } from "./quick.js";
import type { Suite } from "./types.js";

export { type Suite, type SuiteInput, suiteSchema } from "./types.js";

export const SUITES: Readonly<Record<string, Suite>> = {
  quick: QUICK_SUITE,
  full: FULL_SUITE,
};
