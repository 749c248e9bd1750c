import { type InferenceSession, Tensor } from "onnxruntime-node";
import { ModelConfigError, ModelLoadError } from "../errors/index.js";
import type { CausalLmConfig, RopeConfig } from "./model-config.js";
import { shiftRopeKeys } from "./rope-shift.js";

/**
 * Past key/value tensors of a causal LM in the transformers.js export convention:
 * inputs `past_key_values.{i}.key|value` and outputs `present.{i}.key|value`, each
 * [batch_size, num_key_value_heads, past_sequence_length, head_dim].
 */
export interface KvLayout {
  /** Past input names, layer by layer: key then value. */
  readonly pastNames: readonly string[];
  /** The matching present output names. */
  readonly presentNames: readonly string[];
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly type: "float32" | "float16";
}

const PAST_NAME = /^past_key_values\.(\d+)\.(key|value)$/;

function staticDim(dim: unknown): number | null {
  return typeof dim === "number" && dim > 0 ? dim : null;
}

/** Reads the cache layout from the session's input metadata, config.json filling the gaps. */
export function kvLayoutFromSession(
  session: InferenceSession,
  config: CausalLmConfig,
  modelPath: string,
): KvLayout {
  const past = session.inputNames
    .map((name) => ({ name, match: PAST_NAME.exec(name) }))
    .filter((p) => p.match !== null)
    .sort((a, b) => {
      const layer = Number(a.match?.[1]) - Number(b.match?.[1]);
      return layer !== 0 ? layer : (a.match?.[2] ?? "").localeCompare(b.match?.[2] ?? "");
    });
  if (past.length !== 2 * config.numLayers) {
    throw new ModelLoadError(
      `${modelPath} has ${past.length} past_key_values.* inputs; ${2 * config.numLayers} expected ` +
        `for ${config.numLayers} layers (export it with a KV cache, transformers.js convention)`,
    );
  }
  const presentNames = past.map((p) => p.name.replace("past_key_values.", "present."));
  const missing = presentNames.filter((n) => !session.outputNames.includes(n));
  if (missing.length > 0) {
    throw new ModelLoadError(`${modelPath} lacks the outputs ${missing.join(", ")}`);
  }
  const meta = session.inputMetadata.find((m) => m.name === past[0]?.name);
  const shape = meta?.isTensor ? meta.shape : [];
  const type = meta?.isTensor && meta.type === "float16" ? "float16" : "float32";
  return {
    pastNames: past.map((p) => p.name),
    presentNames,
    numKvHeads: staticDim(shape[1]) ?? config.numKeyValueHeads,
    headDim: staticDim(shape[3]) ?? config.headDim,
    type,
  };
}

/**
 * Where the positions of the tokens after a trim (`KvCache.trim`) continue.
 * - "shifted": kept tokens close the gap: their keys are turned to their new positions (RoPE) and
 *   the next token takes position = cache length, so positions never pass the window and every
 *   distance between kept tokens and new ones is the true one, sinks excepted (they come closer).
 * - "original": kept tokens keep their positions and the next token continues after the last
 *   one, so positions grow past the trained range (only distances matter to RoPE, but the sinks
 *   end up farther away than any distance seen in training).
 * - "unrotated": the reference LLMLingua's trimming: the next token takes position = cache length
 *   but kept keys keep their old rotation, so distances to the kept tokens come out wrong.
 */
export type TrimPositions = "shifted" | "original" | "unrotated";

/**
 * The cache of a batch of sequences plus what the next step needs to continue them: the
 * attention mask over the cached positions (0 for left padding) and each row's next position id.
 */
export class KvCache {
  private constructor(
    readonly layout: KvLayout,
    readonly tensors: readonly Tensor[],
    readonly batch: number,
    readonly length: number,
    /** [batch * length], 1 for real tokens. */
    readonly mask: Uint8Array,
    /** Real tokens per row so far (the next token's position id). */
    readonly positions: Int32Array,
  ) {}

  static empty(layout: KvLayout, batch: number): KvCache {
    const dims = [batch, layout.numKvHeads, 0, layout.headDim];
    const data = () => (layout.type === "float16" ? new Uint16Array(0) : new Float32Array(0));
    const tensors = layout.pastNames.map(() => new Tensor(layout.type, data(), dims));
    return new KvCache(layout, tensors, batch, 0, new Uint8Array(0), new Int32Array(batch));
  }

  /** The cache after a step: the model's present tensors plus the extended mask and positions. */
  static fromPresent(
    past: KvCache,
    outputs: InferenceSession.OnnxValueMapType,
    stepMask: Uint8Array,
    stepLength: number,
  ): KvCache {
    const tensors = past.layout.presentNames.map((name) => {
      const tensor = outputs[name];
      if (!tensor) throw new ModelLoadError(`model returned no ${name}`);
      return tensor as Tensor;
    });
    const length = past.length + stepLength;
    const mask = new Uint8Array(past.batch * length);
    const positions = Int32Array.from(past.positions);
    for (let b = 0; b < past.batch; b++) {
      mask.set(past.mask.subarray(b * past.length, (b + 1) * past.length), b * length);
      const step = stepMask.subarray(b * stepLength, (b + 1) * stepLength);
      mask.set(step, b * length + past.length);
      for (const m of step) positions[b] = (positions[b] ?? 0) + m;
    }
    return new KvCache(past.layout, tensors, past.batch, length, mask, positions);
  }

  feeds(): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    this.layout.pastNames.forEach((name, i) => {
      feeds[name] = this.tensors[i] as Tensor;
    });
    return feeds;
  }

  /**
   * Keeps the first `sink` and the last `recent` cached tokens of a single-row cache without
   * padding (StreamingLLM's attention sinks; the reference LLMLingua keeps a prefix the same way).
   * Throws a `ModelConfigError` for a batched or padded cache, or "shifted" without `rope`.
   */
  trim(sink: number, recent: number, positions: TrimPositions, rope: RopeConfig | null): KvCache {
    if (sink + recent >= this.length) return this;
    if (this.batch !== 1 || this.mask.some((m) => m === 0)) {
      throw new ModelConfigError("only a single-row cache without padding can be trimmed");
    }
    if (positions === "shifted" && (rope === null || this.layout.type !== "float32")) {
      throw new ModelConfigError("shifting cached positions needs float32 RoPE keys");
    }
    const { numKvHeads: heads, headDim } = this.layout;
    const length = sink + recent;
    const dropped = this.length - length;
    const tensors = this.tensors.map((tensor, i) => {
      const source = tensor.data as Float32Array | Uint16Array;
      const out =
        source instanceof Uint16Array
          ? new Uint16Array(heads * length * headDim)
          : new Float32Array(heads * length * headDim);
      for (let h = 0; h < heads; h++) {
        const from = h * this.length * headDim;
        const to = h * length * headDim;
        out.set(source.subarray(from, from + sink * headDim), to);
        out.set(
          source.subarray(from + (this.length - recent) * headDim, from + this.length * headDim),
          to + sink * headDim,
        );
      }
      const isKey = this.layout.pastNames[i]?.endsWith(".key") ?? false;
      if (positions === "shifted" && isKey && rope !== null && out instanceof Float32Array) {
        shiftRopeKeys(out, length, headDim, sink, dropped, rope);
      }
      return new Tensor(this.layout.type, out, [1, heads, length, headDim]);
    });
    const next = positions === "original" ? (this.positions[0] ?? 0) : length;
    return new KvCache(
      this.layout,
      tensors,
      1,
      length,
      new Uint8Array(length).fill(1),
      Int32Array.of(next),
    );
  }

  /** Keeps the first `length` positions (a single-row cache: rolling back a stream). */
  truncate(length: number): KvCache {
    if (length >= this.length) return this;
    const { numKvHeads: heads, headDim } = this.layout;
    const tensors = this.tensors.map((tensor) => {
      const source = tensor.data as Float32Array | Uint16Array;
      const size = this.batch * heads * length * headDim;
      const out = source instanceof Uint16Array ? new Uint16Array(size) : new Float32Array(size);
      for (let bh = 0; bh < this.batch * heads; bh++) {
        const from = bh * this.length * headDim;
        out.set(source.subarray(from, from + length * headDim), bh * length * headDim);
      }
      return new Tensor(this.layout.type, out, [this.batch, heads, length, headDim]);
    });
    const mask = new Uint8Array(this.batch * length);
    const positions = new Int32Array(this.batch);
    for (let b = 0; b < this.batch; b++) {
      const kept = this.mask.subarray(b * this.length, b * this.length + length);
      mask.set(kept, b * length);
      positions[b] = kept.reduce((sum, m) => sum + m, 0);
    }
    return new KvCache(this.layout, tensors, this.batch, length, mask, positions);
  }
}
