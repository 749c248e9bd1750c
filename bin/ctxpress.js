#!/usr/bin/env node
// The `ctxpress` command. In a checkout the TypeScript source runs through tsx, so a stale
// `dist/` from an earlier `npm run build` can never shadow the code being edited; a package
// installed without its sources runs the built CLI.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/src/cli/main.js", import.meta.url).href);
}
