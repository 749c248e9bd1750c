import { ModelConfigError } from "../errors/index.js";
import type { WindowSettings } from "./scoring-plan.js";

/**
 * The context of a `ScoringStream` (LLMLingua's iterative compression): the model sees
 * `[BOS] ++ condition ++ committed`, the committed tokens being the kept ones of the segments
 * scored so far.
 *
 * The condition (e.g. LongLLMLingua's question) is pinned: it stays at the front. When a segment
 * would not fit, the committed tokens are cut to their last `overlap` and re-encoded after the
 * condition. Cutting to the overlap rather than to "as much as fits" keeps room for the
 * following segments, so the KV cache grows again for `(window - overlap) / segment` segments
 * before the next cut, instead of re-encoding a full window for every segment. (The reference
 * trims its KV cache keeping a few "sink" positions instead; re-encoding keeps positions
 * contiguous and the scores exact for the context used.) A segment that does not fit even then
 * is scored with sliding windows over `condition ++ committed ++ segment`, where the oldest
 * tokens, condition first, fall out. Both stream implementations (ONNX with a KV cache, remote
 * without) share this policy, so they agree on what each segment is conditioned on.
 */
export class StreamContext {
  private readonly condition: readonly number[];
  private tokens: number[] = [];
  private pending: readonly number[] | null = null;

  constructor(
    condition: readonly number[],
    private readonly settings: WindowSettings,
  ) {
    this.condition = [...condition];
  }

  /** A copy of what the model sees after BOS: condition ++ committed tokens. */
  get committed(): readonly number[] {
    return [...this.condition, ...this.tokens];
  }

  /** [BOS] ++ condition ++ committed: what the model input starts with. */
  modelTokens(): number[] {
    const bos = this.settings.bosTokenId;
    return [...(bos === null ? [] : [bos]), ...this.condition, ...this.tokens];
  }

  /** Length of the model tokens that never change: [BOS] ++ condition. */
  get pinnedLength(): number {
    return (this.settings.bosTokenId === null ? 0 : 1) + this.condition.length;
  }

  private get usable(): number {
    return this.settings.window - (this.settings.bosTokenId === null ? 0 : 1);
  }

  /**
   * Registers the segment about to be scored and makes room for it.
   * Returns "kept" when the context is unchanged, "cut" when the committed tokens were shortened
   * (a KV cache must be rebuilt after the pinned prefix), and "too-long" when even the cut context
   * and the segment exceed the window (the segment must then be scored with sliding windows).
   */
  begin(segment: readonly number[]): "kept" | "cut" | "too-long" {
    if (this.pending !== null) {
      throw new ModelConfigError("ScoringStream.score called twice without commit");
    }
    this.pending = segment;
    const fits = () => this.condition.length + this.tokens.length + segment.length <= this.usable;
    if (fits()) return "kept";
    this.tokens = this.tokens.slice(Math.max(0, this.tokens.length - this.settings.overlap));
    return fits() ? "cut" : "too-long";
  }

  /** Appends the kept tokens of the scored segment; returns the segment. */
  commit(keep: readonly boolean[]): readonly number[] {
    const segment = this.pending;
    if (segment === null) {
      throw new ModelConfigError("ScoringStream.commit called before score");
    }
    if (keep.length !== segment.length) {
      throw new ModelConfigError(
        `ScoringStream.commit got ${keep.length} flags for a ${segment.length}-token segment`,
      );
    }
    this.pending = null;
    segment.forEach((token, i) => {
      if (keep[i]) this.tokens.push(token);
    });
    return segment;
  }
}
