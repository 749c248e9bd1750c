import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * Root folder of an installed package. Resolves its entry point rather than its package.json,
 * because packages with an `exports` map (nlp-corpus) do not export their package.json.
 */
export function packageDir(name: string, entryDepth: number): string {
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < entryDepth; i++) dir = join(dir, "..");
  return dir;
}
