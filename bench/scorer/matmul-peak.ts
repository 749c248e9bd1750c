import { Tensor } from "onnxruntime-node";
import { onnxModel } from "../../src/model/onnx-graph.js";
import { createSession, type SessionSettings } from "../../src/model/session.js";

export interface MatmulPeak {
  /** Best FLOP/s over the sizes tried. */
  readonly flopsPerSecond: number;
  /** The square size n (n x n times n x n) that reached it. */
  readonly size: number;
  /**
   * Best FLOPs per CPU-second (all threads, summed over each size's runs): what the kernels do
   * with the CPU time they get, which holds when other processes take the cores away.
   */
  readonly flopsPerCpuSecond: number;
}

/**
 * This machine's fp32 matmul rate through ONNX Runtime with the same session settings as the
 * scorer: a MatMul-only graph (built in memory) on square matrices, best of several runs per
 * size. The ceiling the scorer's achieved model FLOP/s is compared with.
 */
export async function measureMatmulPeak(
  settings: SessionSettings,
  sizes: readonly number[] = [256, 512, 1024, 1536],
  seconds = 1.5,
): Promise<MatmulPeak> {
  const model = onnxModel({
    name: "matmul_peak",
    nodes: [{ op: "MatMul", inputs: ["a", "b"], outputs: ["c"] }],
    inputs: [
      { name: "a", type: "float32", dims: ["m", "k"] },
      { name: "b", type: "float32", dims: ["k", "n"] },
    ],
    outputs: [{ name: "c", type: "float32", dims: ["m", "n"] }],
    opset: 13,
  });
  const { session } = await createSession(model, { ...settings, provider: "cpu" });
  let best = { flopsPerSecond: 0, size: 0 };
  let flopsPerCpuSecond = 0;
  try {
    for (const n of sizes) {
      const data = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
      const feeds = {
        a: new Tensor("float32", data, [n, n]),
        b: new Tensor("float32", data, [n, n]),
      };
      await session.run(feeds); // warm-up
      const deadline = performance.now() + (seconds * 1000) / sizes.length;
      // CPU time summed over all runs of a size: single runs are too short to time alone.
      const cpuBefore = process.cpuUsage();
      let flops = 0;
      do {
        const started = performance.now();
        await session.run(feeds);
        const rate = (2 * n ** 3) / ((performance.now() - started) / 1000);
        if (rate > best.flopsPerSecond) best = { flopsPerSecond: rate, size: n };
        flops += 2 * n ** 3;
      } while (performance.now() < deadline);
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      if (cpuSeconds > 0) flopsPerCpuSecond = Math.max(flopsPerCpuSecond, flops / cpuSeconds);
    }
  } finally {
    await session.release();
  }
  return { ...best, flopsPerCpuSecond };
}
