import { InferenceSession } from "onnxruntime-node";
import { z } from "zod";
import { ExecutionProviderError } from "../errors/index.js";
import {
  type ConcreteProvider,
  type ModelLogger,
  providerCandidates,
  providerInstallHint,
  stderrLogger,
} from "./execution-provider.js";

/** ONNX Runtime session settings a user may set (validated: they come from config files). */
export const sessionSettingsSchema = z.strictObject({
  provider: z.enum(["cpu", "cuda", "webgpu", "auto"]).default("cpu"),
  /** Threads inside one operator (0 or absent: ONNX Runtime's default, one per core). */
  intraOpThreads: z.number().int().nonnegative().optional(),
  /** Threads across independent operators (only with parallel execution). */
  interOpThreads: z.number().int().nonnegative().optional(),
  graphOptimization: z.enum(["disabled", "basic", "extended", "all"]).default("all"),
  /** CUDA/WebGPU device index. */
  deviceId: z.number().int().nonnegative().default(0),
  /**
   * Let idle intra-op threads spin (ONNX Runtime's default) instead of sleeping. Off by default:
   * on a shared machine spinning threads fight other processes for the cores; measured on the
   * 2-core dev box under load, one 512-token forward of the tiny model took 43 ms spinning and
   * 12 ms without. Turn on for a dedicated machine.
   */
  spinning: z.boolean().default(false),
});

export type SessionSettings = z.input<typeof sessionSettingsSchema>;

export interface CreatedSession {
  readonly session: InferenceSession;
  readonly provider: ConcreteProvider;
}

function providerOption(provider: ConcreteProvider, deviceId: number) {
  return provider === "cuda" ? { name: "cuda", deviceId } : provider;
}

/**
 * Creates a session on the requested execution provider. A named provider that cannot start
 * throws an `ExecutionProviderError` saying why and how to fix it (ONNX Runtime itself does not
 * fall back for us); `auto` tries cuda → webgpu → cpu and logs each fall-back.
 */
export async function createSession(
  model: string | Uint8Array,
  settings: SessionSettings = {},
  log: ModelLogger = stderrLogger,
): Promise<CreatedSession> {
  const parsed = sessionSettingsSchema.parse(settings);
  const candidates = providerCandidates(parsed.provider);
  const attempt = async (provider: ConcreteProvider): Promise<CreatedSession> => {
    const options: InferenceSession.SessionOptions = {
      executionProviders: [providerOption(provider, parsed.deviceId)],
      graphOptimizationLevel: parsed.graphOptimization,
      // Warnings about nodes placed on the CPU are expected for GPU providers: show errors only.
      logSeverityLevel: 3,
      ...(parsed.intraOpThreads ? { intraOpNumThreads: parsed.intraOpThreads } : {}),
      ...(parsed.interOpThreads ? { interOpNumThreads: parsed.interOpThreads } : {}),
      extra: { session: { intra_op: { allow_spinning: parsed.spinning ? "1" : "0" } } },
    };
    const session =
      typeof model === "string"
        ? await InferenceSession.create(model, options)
        : await InferenceSession.create(model, options);
    if (parsed.provider === "auto") log(`execution provider: ${provider} (auto)`);
    return { session, provider };
  };
  // Every candidate but the last may fall back (only `auto` has more than one).
  for (const provider of candidates.slice(0, -1)) {
    try {
      return await attempt(provider);
    } catch (error) {
      log(`execution provider ${provider} unavailable (${firstLine(error)}); falling back`);
    }
  }
  const last = candidates[candidates.length - 1] ?? "cpu";
  try {
    return await attempt(last);
  } catch (error) {
    const hint = providerInstallHint(last);
    throw new ExecutionProviderError(
      `Cannot run ${typeof model === "string" ? model : "an in-memory model"} on the ${last} execution provider: ${firstLine(error)}` +
        (hint ? ` (${hint})` : ""),
      { cause: error },
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split("\n").find((l) => l.trim().length > 0) ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
