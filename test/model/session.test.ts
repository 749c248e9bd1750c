import path from "node:path";
import { listSupportedBackends } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { ExecutionProviderError } from "../../src/errors/index.js";
import { createSession } from "../../src/model/session.js";
import { TINY_MODEL } from "./fixtures/tiny-model.js";

const MODEL = path.join(TINY_MODEL, "onnx", "model.onnx");

async function tryProvider(provider: "cuda" | "webgpu") {
  const log: string[] = [];
  try {
    const created = await createSession(MODEL, { provider }, (m) => log.push(m));
    await created.session.release();
    return { provider: created.provider, error: null, log };
  } catch (error) {
    return { provider: null, error, log };
  }
}

describe("createSession", () => {
  it("runs on the CPU by default, with thread and optimisation settings", async () => {
    const { session, provider } = await createSession(MODEL, {
      intraOpThreads: 1,
      graphOptimization: "basic",
    });
    expect(provider).toBe("cpu");
    expect(session.inputNames).toContain("input_ids");
    await session.release();
  });

  it("rejects invalid settings", async () => {
    await expect(createSession(MODEL, { provider: "tpu" as "cpu" })).rejects.toThrow(/provider/);
    await expect(createSession(MODEL, { intraOpThreads: -1 })).rejects.toThrow();
  });

  it("gives a clear error for CUDA when its libraries are absent (never a silent CPU fall-back)", async () => {
    const cudaBundled = listSupportedBackends().some((b) => b.name === "cuda" && b.bundled);
    const result = await tryProvider("cuda");
    if (result.provider !== null) {
      // A machine with CUDA installed: it must really be CUDA.
      expect(result.provider).toBe("cuda");
      return;
    }
    expect(result.error).toBeInstanceOf(ExecutionProviderError);
    const message = (result.error as Error).message;
    expect(message).toMatch(/cuda execution provider/);
    if (!cudaBundled) expect(message).toMatch(/--onnxruntime-node-install=cuda12/);
    expect(result.log).toEqual([]);
  });

  it("gives a clear error for WebGPU without a GPU adapter", async () => {
    const result = await tryProvider("webgpu");
    if (result.provider !== null) {
      expect(result.provider).toBe("webgpu");
      return;
    }
    expect(result.error).toBeInstanceOf(ExecutionProviderError);
    expect((result.error as Error).message).toMatch(
      /webgpu execution provider.*\(needs a GPU adapter/,
    );
  });

  it("auto falls back through cuda and webgpu to the CPU, logging each step", async () => {
    const log: string[] = [];
    const { session, provider } = await createSession(MODEL, { provider: "auto" }, (m) =>
      log.push(m),
    );
    await session.release();
    expect(log[log.length - 1]).toBe(`execution provider: ${provider} (auto)`);
    const order = ["cuda", "webgpu", "cpu"];
    const skipped = order.slice(0, order.indexOf(provider));
    expect(log.slice(0, -1)).toHaveLength(skipped.length);
    skipped.forEach((name, i) => {
      expect(log[i]).toMatch(
        new RegExp(`^execution provider ${name} unavailable \\(.+\\); falling back$`),
      );
    });
  });
});
