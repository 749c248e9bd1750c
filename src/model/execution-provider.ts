import { listSupportedBackends } from "onnxruntime-node";
import type { ExecutionProvider } from "./types.js";

/** A provider ONNX Runtime can be asked for (`auto` resolves to a list of these). */
export type ConcreteProvider = Exclude<ExecutionProvider, "auto">;

/** `auto` tries these in order; CPU always works, so it ends the list. */
export const AUTO_PROVIDER_ORDER: readonly ConcreteProvider[] = ["cuda", "webgpu", "cpu"];

/** Receives one line per notable event (fall-backs, chosen provider). */
export type ModelLogger = (message: string) => void;

export const stderrLogger: ModelLogger = (message) => {
  process.stderr.write(`[ctxpress:model] ${message}\n`);
};

/** The providers to try, in order, for a requested one. */
export function providerCandidates(requested: ExecutionProvider): readonly ConcreteProvider[] {
  return requested === "auto" ? AUTO_PROVIDER_ORDER : [requested];
}

/**
 * What this onnxruntime-node install says about a provider. `bundled: false` (CUDA on linux-x64)
 * means its libraries come from the install script (`--onnxruntime-node-install=cuda12`), so it
 * may still be present; only trying to create a session tells for sure.
 */
export function providerInstallHint(provider: ConcreteProvider): string {
  const backend = listSupportedBackends().find((b) => b.name === provider);
  switch (provider) {
    case "cpu":
      return "";
    case "cuda":
      return backend?.bundled
        ? "needs an NVIDIA GPU with CUDA 12 and cuDNN 9 libraries"
        : "the CUDA provider is not bundled with onnxruntime-node on this platform: reinstall with " +
            "`npm install --onnxruntime-node-install=cuda12` on a machine with internet, an NVIDIA " +
            "GPU, CUDA 12 and cuDNN 9";
    case "webgpu":
      return backend
        ? "needs a GPU adapter reachable through Vulkan (libvulkan and a GPU driver)"
        : "this onnxruntime-node build has no WebGPU provider";
  }
}
