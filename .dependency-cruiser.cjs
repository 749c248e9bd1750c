/**
 * The layers ctxpress keeps (see the README's "Layout"), checked by test/layers.test.ts:
 * queues/ is the bottom layer producers and workers share, the product never imports bench/,
 * compressors are algorithms that never touch Redis, and nothing imports itself in a circle.
 */
module.exports = {
  forbidden: [
    {
      name: "queues-import-nothing-from-src",
      comment: "queues/ (names, schemas, job options) is shared by producers and workers.",
      severity: "error",
      from: { path: "^queues/" },
      to: { path: "^src/" },
    },
    {
      name: "product-never-imports-bench",
      comment: "bench/ and its corpora are development tools, not part of the package.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^bench/" },
    },
    {
      name: "compressors-never-touch-redis",
      comment: "Compressors are pure algorithms; storage is injected (src/store).",
      severity: "error",
      from: { path: "^src/compressors/" },
      to: { path: "node_modules/(ioredis|bullmq)/" },
    },
    {
      name: "no-circular-imports",
      comment: "Type-only cycles count too: they tie files together all the same.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
