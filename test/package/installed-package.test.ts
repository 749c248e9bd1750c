import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The acceptance test of the package: `npm pack` (whose prepack builds dist/ once), then a
 * project outside the checkout installs the tarball from the npm cache or registry, and uses
 * it as a user would: ESM import with the embedded models, the installed types under
 * `moduleResolution: nodenext`, and the `ctxpress` command.
 */
const checkout = fileURLToPath(new URL("../..", import.meta.url));
/** The budget for the tarball (npm's "package size"), in bytes. */
const MAX_PACKED_BYTES = 30_000_000;
/** The dev tools the type check needs, at the checkout's versions. */
const TOOLS = ["typescript@5.9.3", "@types/node@20.19.43", "@langchain/core@1.4.0"];
const STEP_TIMEOUT_MS = 540_000;

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string }[];
}

/**
 * The environment of the project's commands: the checkout's npm run variables left out, so
 * nothing points back at it; onnxruntime-node's CUDA download skipped (offline, CPU).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^npm_(package|lifecycle)_/.test(key) &&
        key !== "npm_config_local_prefix" &&
        key !== "INIT_CWD" &&
        key !== "NODE_OPTIONS",
    ),
  );
  return { ...env, ONNXRUNTIME_NODE_INSTALL: "skip" };
}

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    env: userEnv(),
    encoding: "utf8",
    timeout: STEP_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return result;
}

function succeed(command: string, args: readonly string[], cwd: string): string {
  const result = run(command, args, cwd);
  expect(result.status, `${command} ${args.join(" ")}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const USE_API = `import { compress, CtxpressClient, type CompressionResult } from "ctxpress";
import { CtxpressDocumentCompressor } from "ctxpress/langchain";

const result: CompressionResult = await compress(
  { contexts: ["Some long text."], question: "Which text?" },
  { method: "longllmlingua", rate: 0.5 },
);
const kept: number = result.stats.counts.compressedTokens;
// Fails the check unless the installed types are real (a missing .d.ts would make this \`any\`).
// @ts-expect-error contexts are strings or structured segments
await compress({ contexts: [42] }, { method: "llmlingua" });
const compressor = new CtxpressDocumentCompressor({ compression: { method: "llmlingua" } });
const client: Promise<CtxpressClient> = CtxpressClient.connect({ redisUrl: "redis://127.0.0.1:6379" });
void [kept, compressor, client];
`;

const RUN_SDK = `import { compress, compressThenAnswer } from "ctxpress";
import { CtxpressDocumentCompressor } from "ctxpress/langchain";

const text = "The harbour master keeps the lighthouse key in the blue box by the door. ".repeat(20);
const result = await compress({ contexts: [text] }, { method: "llmlingua", rate: 0.5 });
const [document] = await new CtxpressDocumentCompressor({
  compression: { method: "llmlingua", rate: 0.5 },
}).compressDocuments([{ pageContent: text, metadata: { source: "a.txt" } }], "Where is the key?");
const answered = await compressThenAnswer(
  { contexts: [text], question: "Where is the key?" },
  { compression: { method: "landmark" }, generation: { maxNewTokens: 4 } },
);
console.log(JSON.stringify({
  reader: answered.generation.modelId,
  resolved: import.meta.resolve("ctxpress"),
  method: result.method,
  counts: result.stats.counts,
  document: document?.metadata,
}));
`;

describe("the packed ctxpress, installed in a fresh project", () => {
  let work: string;
  let project: string;
  let packed: PackResult;

  beforeAll(() => {
    // realpath: the project must not resolve through a symlink back into anything else.
    work = realpathSync(mkdtempSync(path.join(tmpdir(), "ctxpress-package-")));
    project = path.join(work, "project");
    mkdirSync(project);
    const started = Date.now();
    const pack = succeed("npm", ["pack", "--json", "--pack-destination", work], checkout);
    // prepack's build logs ahead of the JSON on stdout.
    packed = (JSON.parse(pack.slice(pack.indexOf("\n[") + 1)) as PackResult[])[0] as PackResult;
    writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "ctxpress-user", private: true, type: "module" }),
    );
    succeed(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        path.join(work, packed.filename),
        ...TOOLS,
      ],
      project,
    );
    console.log(
      `npm pack: ${(packed.size / 1e6).toFixed(1)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${packed.files.length} files; pack + install ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }, 2 * STEP_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("packs within 30 MB, with the embedded models and without training, bench, tests or plots", () => {
    expect(packed.size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
    const files = packed.files.map((file) => file.path);
    expect(files.filter((file) => /^(training|bench|test|docs|src|scripts)\//.test(file))).toEqual(
      [],
    );
    expect(files).toEqual(
      expect.arrayContaining([
        "bin/ctxpress.js",
        "dist/src/index.js",
        "dist/src/index.d.ts",
        "dist/src/index.js.map",
        "dist/src/langchain/index.js",
        "models/ctxpress-5m/onnx/model_quantized.onnx",
        "models/ctxpress-reader/onnx/model_quantized.onnx",
        "models/ctxpress-reader/tokenizer.json",
        "models/lingua2-bert-mini/onnx/model_quantized.onnx",
        "models/landmark-embedder/onnx/model.onnx_data",
        "models/gist-5m/onnx/summarize_quantized.onnx",
        "models/gist-5m/onnx/model_quantized.onnx_data",
      ]),
    );
    // The int8 graphs are the embedded defaults; the fp32 weights stay in the repository.
    expect(files).not.toContain("models/ctxpress-5m/onnx/model.onnx_data");
    expect(files).not.toContain("models/ctxpress-reader/onnx/model.onnx_data");
    // The classifier ships int8 only; its fp32 graph is not even in the repository.
    expect(files).not.toContain("models/lingua2-bert-mini/onnx/model.onnx");
  });

  it("imports ctxpress and ctxpress/langchain as ESM, compresses and answers with the embedded models", () => {
    writeFileSync(path.join(project, "run-sdk.mjs"), RUN_SDK);
    const output = JSON.parse(succeed(process.execPath, ["run-sdk.mjs"], project));
    expect(output.resolved).toBe(
      `file://${path.join(project, "node_modules", "ctxpress", "dist", "src", "index.js")}`,
    );
    expect(output.method).toBe("llmlingua");
    expect(output.counts.compressedTokens).toBeGreaterThan(0);
    expect(output.counts.compressedTokens).toBeLessThan(output.counts.originalTokens);
    expect(output.document).toMatchObject({ source: "a.txt", ctxpress: { method: "llmlingua" } });
    // The embedded reader answers from its int8 graph alone (its fp32 weights are not packed).
    expect(output.reader).toBe(
      path.join(project, "node_modules", "ctxpress", "models", "ctxpress-reader"),
    );
  });

  it("type-checks a TypeScript file against the installed types (nodenext)", () => {
    writeFileSync(path.join(project, "use-api.ts"), USE_API);
    writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          types: ["node"],
          // Dependencies' own .d.ts are theirs to check; the @ts-expect-error above proves
          // ctxpress' types were read.
          skipLibCheck: true,
        },
        files: ["use-api.ts"],
      }),
    );
    succeed(path.join(project, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], project);
  });

  it("runs the installed ctxpress command from built JavaScript", () => {
    expect(succeed("npx", ["--no-install", "ctxpress", "--help"], project)).toMatch(
      /Usage: ctxpress/,
    );
    const file = path.join(project, "notes.txt");
    writeFileSync(
      file,
      "The quick brown fox jumps over the lazy dog near the river bank. ".repeat(30),
    );
    const result = JSON.parse(
      succeed("npx", ["--no-install", "ctxpress", "compress", file, "--json"], project),
    );
    expect(result.stats.counts.compressedTokens).toBeLessThan(result.stats.counts.originalTokens);
    const bench = run("npx", ["--no-install", "ctxpress", "bench", "--suite", "quick"], project);
    expect(bench.status).toBe(2);
    expect(bench.stderr).toMatch(/npm run bench -- --suite quick/);
  });
});
