import path from "node:path";
import { AutoTokenizer, type PreTrainedTokenizer } from "@huggingface/transformers";
import type { ModelFolder } from "./model-folder.js";
import { alignSpans } from "./span-alignment.js";
import {
  type SurfaceConvention,
  surfaceConvention,
  tokenBytes,
  tokenTexts,
} from "./token-surface.js";
import type { ChatMessage, TokenizedText, Tokenizer } from "./types.js";

interface TokenizerJson {
  decoder?: unknown;
  model?: unknown;
  added_tokens?: { id: number; content: string }[];
}

/**
 * The `Tokenizer` interface over transformers.js' `AutoTokenizer` (tokenizer.json +
 * tokenizer_config.json in a model folder). Adds what transformers.js lacks: spans of the
 * original text per token (span-alignment.ts).
 */
export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  private readonly convention: SurfaceConvention;
  private readonly idToToken: string[];
  private readonly addedIds: Set<number>;
  private readonly unknownId: number | null;
  private readonly bytesCache = new Map<number, Uint8Array>();

  private constructor(
    readonly name: string,
    private readonly hf: PreTrainedTokenizer,
  ) {
    const json = hf._tokenizerJSON as TokenizerJson;
    this.convention = surfaceConvention(json);
    this.idToToken = [];
    for (const [token, id] of hf.get_vocab()) this.idToToken[id] = token;
    this.vocabSize = this.idToToken.length;
    this.addedIds = new Set((json.added_tokens ?? []).map((t) => t.id));
    this.bosTokenId = hf.bos_token_id ?? null;
    this.eosTokenId = hf.eos_token_id ?? null;
    this.unknownId = hf.unk_token_id ?? null;
  }

  /** Loads the tokenizer of a resolved model folder (never touches the network). */
  static async load(folder: ModelFolder): Promise<HfTokenizer> {
    // Absolute: transformers.js takes a relative path that looks like "owner/name" for a hub id
    // and asks the hub for file metadata even with local_files_only.
    const hf = await AutoTokenizer.from_pretrained(path.resolve(folder.dir), {
      local_files_only: true,
    });
    return new HfTokenizer(folder.id, hf);
  }

  encode(text: string): number[] {
    if (text.length === 0) return [];
    return this.hf.encode(text, { add_special_tokens: false });
  }

  encodeWithSpans(text: string): TokenizedText {
    const ids = this.encode(text);
    const texts = tokenTexts(ids.map((id) => this.bytesOf(id)));
    const wildcard = ids.map((id) => id === this.unknownId);
    return { ids, spans: alignSpans(text, texts, wildcard) };
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return "";
    return this.hf.decode([...ids], { skip_special_tokens: false });
  }

  /** The model's chat template applied to messages, or null when the tokenizer has none. */
  applyChatTemplate(messages: readonly ChatMessage[]): string | null {
    if (!this.hf.chat_template) return null;
    return this.hf.apply_chat_template(
      messages.map((m) => ({ role: m.role, content: m.content })),
      { tokenize: false, add_generation_prompt: true },
    ) as string;
  }

  private bytesOf(id: number): Uint8Array {
    let bytes = this.bytesCache.get(id);
    if (bytes === undefined) {
      bytes = tokenBytes(this.idToToken[id] ?? "", this.convention, this.addedIds.has(id));
      this.bytesCache.set(id, bytes);
    }
    return bytes;
  }
}
