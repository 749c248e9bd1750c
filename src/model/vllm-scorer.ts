import { z } from "zod";
import { ModelConfigError, RemoteModelError } from "../errors/index.js";
import { resolveBos } from "./bos.js";
import { httpClientSchema, JsonHttpClient } from "./http-client.js";
import type { HubOptions } from "./hub.js";
import { resolveTokenizerFolder } from "./model-folder.js";
import { RescoringStream } from "./rescoring-stream.js";
import { defaultOverlap, type ScoringWindow, type WindowSettings } from "./scoring-plan.js";
import { HfTokenizer } from "./tokenizer.js";
import type { ScoringStream, Tokenizer } from "./types.js";
import { WindowedScorer } from "./windowed-scorer.js";

export const vllmScorerSchema = httpClientSchema.extend({
  /** The model name the server serves. */
  model: z.string().min(1),
  /**
   * A local copy of the served model's tokenizer: folder or hub id (default: `model`, as a hub
   * id). Prompts are sent as token ids, so its ids must be the server's.
   */
  tokenizer: z.string().min(1).optional(),
  /** Server context window; asked from GET /v1/models (vLLM's `max_model_len`) when absent. */
  contextWindow: z.number().int().positive().optional(),
  overlap: z.number().int().nonnegative().optional(),
  /** Prepend the tokenizer's BOS to every window (default: when it has one). */
  addBos: z.boolean().optional(),
  /** Windows per request (vLLM takes a list of token-id prompts). */
  batchSize: z.number().int().positive().default(16),
  /**
   * "echo": `echo: true, logprobs: 1` → choices[i].logprobs.token_logprobs (OpenAI style);
   * "prompt_logprobs": vLLM's extra field `prompt_logprobs: 1` → choices[i].prompt_logprobs.
   */
  logprobsMode: z.enum(["echo", "prompt_logprobs"]).default("echo"),
});

export type VllmScorerOptions = z.input<typeof vllmScorerSchema>;

const echoResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        logprobs: z.object({ token_logprobs: z.array(z.number().nullable()) }),
      }),
    )
    .min(1),
});

const promptLogprobsResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        prompt_logprobs: z.array(
          z.record(z.string(), z.object({ logprob: z.number() })).nullable(),
        ),
      }),
    )
    .min(1),
});

const modelsResponseSchema = z.object({
  data: z.array(
    z.object({ id: z.string(), max_model_len: z.number().int().positive().optional() }),
  ),
});

/**
 * `LogProbScorer` over a vLLM server's prompt log-probabilities (POST /v1/completions).
 *
 * Prompts go as token-id arrays (`prompt: number[][]`, which vLLM accepts), tokenised by a
 * local copy of the model's tokenizer: token alignment is then exact by construction, with no
 * round trip to vLLM's /tokenize and no risk of the server re-tokenising text differently.
 * `max_tokens: 1` (accepted by every vLLM version, unlike 0) generates one token whose entry is
 * ignored. Long inputs use the same sliding windows as the ONNX scorer; `stream()` re-sends the
 * committed context (no KV cache over HTTP; vLLM's prefix caching makes that cheap).
 */
export class VllmScorer extends WindowedScorer {
  private constructor(
    readonly modelId: string,
    readonly tokenizer: Tokenizer,
    private readonly client: JsonHttpClient,
    private readonly options: z.output<typeof vllmScorerSchema>,
    settings: WindowSettings,
  ) {
    super(settings);
  }

  static async create(options: VllmScorerOptions, hub: HubOptions = {}): Promise<VllmScorer> {
    const parsed = vllmScorerSchema.safeParse(options);
    if (!parsed.success) {
      throw new ModelConfigError(`Invalid vLLM scorer options: ${z.prettifyError(parsed.error)}`);
    }
    const { model, tokenizer: tokenizerId, contextWindow, overlap, ...rest } = parsed.data;
    const { addBos, batchSize: _batch, logprobsMode: _mode, ...http } = rest;
    const client = new JsonHttpClient(http);
    const folder = await resolveTokenizerFolder(tokenizerId ?? model, hub);
    const tokenizer = await HfTokenizer.load(folder);
    const bosTokenId = resolveBos(addBos, tokenizer.bosTokenId, folder.id);
    const window = contextWindow ?? (await serverContextWindow(client, model));
    return new VllmScorer(model, tokenizer, client, parsed.data, {
      window,
      overlap: overlap ?? defaultOverlap(window),
      bosTokenId,
    });
  }

  stream(condition: readonly number[] = []): ScoringStream {
    return new RescoringStream(this, this.settings, condition);
  }

  async dispose(): Promise<void> {
    // Stateless HTTP: nothing to release.
  }

  protected group(windows: readonly ScoringWindow[]): ScoringWindow[][] {
    const batches: ScoringWindow[][] = [];
    for (let i = 0; i < windows.length; i += this.options.batchSize) {
      batches.push(windows.slice(i, i + this.options.batchSize));
    }
    return batches;
  }

  protected async scoreWindows(batch: readonly ScoringWindow[]): Promise<Float32Array[]> {
    const perWindow = await this.request(batch);
    return batch.map((window, b) =>
      Float32Array.from(
        (perWindow[b] as (number | null)[]).slice(window.scoreFrom, window.input.length),
        (logprob) => logprob ?? Number.NaN,
      ),
    );
  }

  /** Per window, the log-prob of each input token (null for the first). */
  private async request(batch: readonly ScoringWindow[]): Promise<(number | null)[][]> {
    const body = {
      model: this.modelId,
      prompt: batch.map((w) => w.input),
      max_tokens: 1,
      temperature: 0,
      ...(this.options.logprobsMode === "echo"
        ? { echo: true, logprobs: 1 }
        : { prompt_logprobs: 1 }),
    };
    const byIndex = new Map<number, (number | null)[]>();
    if (this.options.logprobsMode === "echo") {
      const response = await this.client.post("completions", body, echoResponseSchema);
      for (const choice of response.choices)
        byIndex.set(choice.index, choice.logprobs.token_logprobs);
    } else {
      const response = await this.client.post("completions", body, promptLogprobsResponseSchema);
      for (const choice of response.choices) {
        const input = batch[choice.index]?.input ?? [];
        byIndex.set(
          choice.index,
          choice.prompt_logprobs.map((entry, j) => {
            if (entry === null) return null;
            const scored = entry[String(input[j])];
            if (scored === undefined) {
              throw new RemoteModelError(
                `vLLM's prompt_logprobs for prompt ${choice.index} lack token ${input[j]} at ${j}`,
                {
                  url: `${this.client.baseUrl}completions`,
                  status: 200,
                  attempts: 1,
                  retryable: false,
                },
              );
            }
            return scored.logprob;
          }),
        );
      }
    }
    return batch.map((window, b) => {
      const logprobs = byIndex.get(b);
      if (!logprobs || logprobs.length < window.input.length) {
        throw new RemoteModelError(
          `vLLM returned ${logprobs ? `${logprobs.length} log-probs` : "no choice"} for prompt ${b} ` +
            `of ${window.input.length} tokens (is the server's --max-logprobs at least 1?)`,
          { url: `${this.client.baseUrl}completions`, status: 200, attempts: 1, retryable: false },
        );
      }
      return logprobs;
    });
  }
}

async function serverContextWindow(client: JsonHttpClient, model: string): Promise<number> {
  const models = await client.get("models", modelsResponseSchema);
  const window = models.data.find((m) => m.id === model)?.max_model_len;
  if (window === undefined) {
    throw new ModelConfigError(
      `The server at ${client.baseUrl} does not report max_model_len for "${model}"; set contextWindow`,
    );
  }
  return window;
}
