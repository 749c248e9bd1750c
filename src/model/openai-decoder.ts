import { z } from "zod";
import { ModelConfigError } from "../errors/index.js";
import { httpClientSchema, JsonHttpClient } from "./http-client.js";
import type { ChatMessage, Decoder, GenerateOptions, Generation } from "./types.js";

export const openAiDecoderSchema = httpClientSchema.extend({
  model: z.string().min(1),
  /**
   * How plain-string prompts are sent: "chat" wraps them as one user message for
   * /chat/completions; "completions" sends them as-is to /completions (base models). Chat
   * messages always go to /chat/completions.
   */
  promptMode: z.enum(["chat", "completions"]).default("chat"),
  /** The server model's context window, when known (informational). */
  contextWindow: z.number().int().positive().nullable().default(null),
});

export type OpenAiDecoderOptions = z.input<typeof openAiDecoderSchema>;

const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});

const chatResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: usageSchema,
});

const completionResponseSchema = z.object({
  choices: z.array(z.object({ text: z.string(), finish_reason: z.string().nullable() })).min(1),
  usage: usageSchema,
});

/**
 * A `Decoder` backed by an OpenAI-compatible server (OpenAI, vLLM, TGI, SGLang, llama.cpp).
 * Token counts come from the response's `usage` (required: servers that omit it fail with a
 * validation error naming the field, rather than with made-up counts).
 */
export class OpenAiDecoder implements Decoder {
  readonly modelId: string;
  readonly contextWindow: number | null;
  private readonly client: JsonHttpClient;
  private readonly promptMode: "chat" | "completions";

  constructor(options: OpenAiDecoderOptions) {
    const parsed = openAiDecoderSchema.safeParse(options);
    if (!parsed.success) {
      throw new ModelConfigError(
        `Invalid OpenAI decoder options: ${z.prettifyError(parsed.error)}`,
      );
    }
    const { model, promptMode, contextWindow, ...http } = parsed.data;
    this.modelId = model;
    this.contextWindow = contextWindow;
    this.promptMode = promptMode;
    this.client = new JsonHttpClient(http);
  }

  async generate(
    prompt: string | readonly ChatMessage[],
    options: GenerateOptions,
  ): Promise<Generation> {
    const started = performance.now();
    const common = {
      model: this.modelId,
      max_tokens: options.maxNewTokens,
      temperature: options.temperature ?? 0,
      ...(options.stop && options.stop.length > 0 ? { stop: options.stop } : {}),
    };
    let text: string;
    let finish: string | null;
    let usage: z.infer<typeof usageSchema>;
    if (typeof prompt === "string" && this.promptMode === "completions") {
      const response = await this.client.post(
        "completions",
        { ...common, prompt },
        completionResponseSchema,
        options.signal,
      );
      const choice = response.choices[0] as (typeof response.choices)[number];
      text = choice.text;
      finish = choice.finish_reason;
      usage = response.usage;
    } else {
      const messages = typeof prompt === "string" ? [{ role: "user", content: prompt }] : prompt;
      const response = await this.client.post(
        "chat/completions",
        { ...common, messages },
        chatResponseSchema,
        options.signal,
      );
      const choice = response.choices[0] as (typeof response.choices)[number];
      text = choice.message.content ?? "";
      finish = choice.finish_reason;
      usage = response.usage;
    }
    return {
      text,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      finishReason: finish === "length" ? "length" : "stop",
      latencyMs: performance.now() - started,
    };
  }

  async dispose(): Promise<void> {
    // Stateless HTTP: nothing to release.
  }
}
