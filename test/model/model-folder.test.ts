import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { env } from "@huggingface/transformers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors/index.js";
import { CausalLm } from "../../src/model/causal-lm.js";
import { DEFAULT_SCORER_MODEL } from "../../src/model/defaults.js";
import {
  DTYPE_SUFFIXES,
  MODEL_DTYPES,
  resolveOnnxModelFolder,
  resolveTokenizerFolder,
} from "../../src/model/model-folder.js";
import { type HttpDouble, refusedUrl, startHttpDouble } from "./fixtures/http-double.js";
import { TINY_MODEL } from "./fixtures/tiny-model.js";

async function loadError(promise: Promise<unknown>): Promise<ModelLoadError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

describe("local model folders", () => {
  it("resolves a complete folder", async () => {
    const folder = await resolveOnnxModelFolder(TINY_MODEL);
    expect(folder.source).toBe("local");
    expect(folder.onnxPath).toBe(path.join(TINY_MODEL, "onnx", "model.onnx"));
  });

  it("names every missing file, and the ONNX variants that exist", async () => {
    // A dtype the folder does not ship (the set of variants grows as models are exported).
    const absent = MODEL_DTYPES.find(
      (dtype) => !existsSync(path.join(TINY_MODEL, "onnx", `model${DTYPE_SUFFIXES[dtype]}.onnx`)),
    );
    expect(absent).toBeDefined();
    const file = `onnx/model${DTYPE_SUFFIXES[absent ?? "fp32"]}.onnx`;
    const error = await loadError(resolveOnnxModelFolder(TINY_MODEL, { dtype: absent }));
    expect(error.missingFiles).toEqual([file]);
    expect(error.message).toContain(`missing ${file}. ONNX files present: `);
    expect(error.message).toMatch(/ONNX files present: .*\bmodel\.onnx\b/);

    const empty = mkdtempSync(path.join(tmpdir(), "ctxpress-empty-"));
    try {
      const bare = await loadError(resolveOnnxModelFolder(empty));
      expect(bare.missingFiles).toEqual([
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "onnx/model.onnx",
      ]);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it("reports a folder that does not exist, and names that are neither folder nor hub id", async () => {
    expect((await loadError(resolveOnnxModelFolder("./no/such/folder"))).message).toMatch(
      /does not exist/,
    );
    expect((await loadError(resolveTokenizerFolder("not a model!"))).message).toMatch(
      /neither an existing model folder nor a valid hub id/,
    );
  });
});

describe("the folder's default dtype", () => {
  it("loads the variant config.json names when the caller names none; the caller's wins", async () => {
    const embedded = await resolveOnnxModelFolder(DEFAULT_SCORER_MODEL);
    expect(embedded.dtype).toBe("q8");
    expect(embedded.onnxPath).toBe(path.join(DEFAULT_SCORER_MODEL, "onnx", "model_quantized.onnx"));
    const fp32 = await resolveOnnxModelFolder(DEFAULT_SCORER_MODEL, { dtype: "fp32" });
    expect(fp32.onnxPath).toBe(path.join(DEFAULT_SCORER_MODEL, "onnx", "model.onnx"));
    // Per-graph settings leave the other graphs of the folder at fp32.
    const embeds = await resolveOnnxModelFolder(DEFAULT_SCORER_MODEL, { fileName: "model_embeds" });
    expect(embeds.dtype).toBe("fp32");
    expect((await resolveOnnxModelFolder(TINY_MODEL)).dtype).toBe("fp32");
  });

  it("rejects a dtype config.json names that ctxpress does not know", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "ctxpress-dtype-"));
    try {
      cpSync(TINY_MODEL, folder, { recursive: true });
      const config = JSON.parse(readFileSync(path.join(folder, "config.json"), "utf8"));
      config["transformers.js_config"] = { dtype: "fp8" };
      writeFileSync(path.join(folder, "config.json"), JSON.stringify(config));
      expect((await loadError(resolveOnnxModelFolder(folder))).message).toMatch(
        /names dtype "fp8" for model; expected one of fp32, fp16, q8/,
      );
    } finally {
      rmSync(folder, { recursive: true });
    }
  });
});

describe("hub ids", () => {
  let hub: HttpDouble;
  let cacheDir: string;
  const remoteHost = env.remoteHost;
  let delayMs = 0;

  beforeAll(async () => {
    // Serves models/tiny-random as "acme/tiny" in the hub's URL layout.
    hub = await startHttpDouble(async (request, response) => {
      const match = /^\/acme\/tiny\/resolve\/main\/(.+)$/.exec(request.path);
      const file = match?.[1] ? path.join(TINY_MODEL, decodeURIComponent(match[1])) : null;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (!file || !existsSync(file)) {
        response.writeHead(404).end("Entry not found");
        return;
      }
      response.writeHead(200).end(readFileSync(file));
    });
  });

  afterEach(() => {
    env.remoteHost = remoteHost;
    delayMs = 0;
    delete process.env.HF_TOKEN;
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await hub.close();
  });

  const freshCache = () => {
    cacheDir = mkdtempSync(path.join(tmpdir(), "ctxpress-hub-cache-"));
    return cacheDir;
  };

  it("downloads into transformers.js' cache layout and loads the model from there", async () => {
    env.remoteHost = `${hub.url}/`;
    process.env.HF_TOKEN = "hf_test_token";
    const cache = freshCache();
    const lm = await CausalLm.load("acme/tiny", { cacheDir: cache });
    try {
      expect(lm.folder.source).toBe("hub");
      expect(lm.folder.dir).toBe(path.join(cache, "acme", "tiny"));
      // Declared external data came along; the optional generation config was asked for.
      const paths = hub.requests.map((r) => r.path);
      expect(paths).toContain("/acme/tiny/resolve/main/onnx/model.onnx_data");
      expect(paths).toContain("/acme/tiny/resolve/main/generation_config.json");
      expect(hub.requests.every((r) => r.headers.authorization === "Bearer hf_test_token")).toBe(
        true,
      );
      const local = await CausalLm.load(TINY_MODEL);
      const tokens = lm.tokenizer.encode("The pass key is 40297.");
      const [fromHub, fromLocal] = await Promise.all([
        lm.step(
          {
            batch: 1,
            length: tokens.length,
            ids: tokens,
            mask: new Uint8Array(tokens.length).fill(1),
          },
          lm.emptyCache(1),
        ),
        local.step(
          {
            batch: 1,
            length: tokens.length,
            ids: tokens,
            mask: new Uint8Array(tokens.length).fill(1),
          },
          local.emptyCache(1),
        ),
      ]);
      expect(fromHub.logits.data).toEqual(fromLocal.logits.data);
      await local.dispose();
    } finally {
      await lm.dispose();
    }
    // A second load is served from the cache, even local-only.
    const before = hub.requests.length;
    const cached = await resolveOnnxModelFolder("acme/tiny", { cacheDir: cache, localOnly: true });
    expect(cached.dir).toBe(path.join(cache, "acme", "tiny"));
    expect(hub.requests.length).toBe(before);
    // And offline, even when an optional file is absent from the cache.
    rmSync(path.join(cache, "acme", "tiny", "generation_config.json"));
    env.remoteHost = `${await refusedUrl()}/`;
    const offline = await resolveOnnxModelFolder("acme/tiny", { cacheDir: cache });
    expect(offline.onnxPath).toBe(path.join(cache, "acme", "tiny", "onnx", "model.onnx"));
  });

  it("local-only: a model missing from the cache fails at once, without any request", async () => {
    env.remoteHost = `${hub.url}/`;
    const before = hub.requests.length;
    const error = await loadError(
      resolveOnnxModelFolder("acme/tiny", { cacheDir: freshCache(), localOnly: true }),
    );
    expect(error.message).toMatch(/not in the local cache.*Local-only loading was requested/);
    expect(error.missingFiles).toContain("onnx/model.onnx");
    expect(hub.requests.length).toBe(before);
  });

  it("offline: an unreachable hub gives a clear error quickly, never a hang", async () => {
    env.remoteHost = `${await refusedUrl()}/`;
    const started = Date.now();
    const error = await loadError(resolveOnnxModelFolder("acme/tiny", { cacheDir: freshCache() }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error.message).toMatch(/Could not download config\.json of hub model "acme\/tiny"/);
    expect(error.message).toMatch(/ECONNREFUSED.*pass a local model folder/);
  });

  it("a hub that stops answering times out", async () => {
    env.remoteHost = `${hub.url}/`;
    delayMs = 5000;
    const started = Date.now();
    const error = await loadError(
      resolveOnnxModelFolder("acme/tiny", { cacheDir: freshCache(), timeoutMs: 300 }),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toMatch(/timed out/);
  });

  it("a repo without the requested dtype names the missing file", async () => {
    env.remoteHost = `${hub.url}/`;
    const error = await loadError(
      resolveOnnxModelFolder("acme/tiny", { cacheDir: freshCache(), dtype: "fp16" }),
    );
    expect(error.missingFiles).toEqual(["onnx/model_fp16.onnx"]);
    expect(error.message).toMatch(/has no onnx\/model_fp16\.onnx/);
  });
});
