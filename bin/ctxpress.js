#!/usr/bin/env node
// The `ctxpress` command: the built CLI when `npm run build` made one, else the TypeScript
// source through tsx (a fresh clone needs no build step).
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
