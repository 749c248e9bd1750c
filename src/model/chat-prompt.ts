import type { HfTokenizer } from "./tokenizer.js";
import type { ChatMessage } from "./types.js";

const ROLE_LABELS: Record<ChatMessage["role"], string> = {
  system: "System",
  user: "User",
  assistant: "Assistant",
};

/**
 * The prompt text an embedded decoder sees for a chat: the tokenizer's chat template when it
 * has one, else a plain transcript ("User: …", one message per paragraph) ending with
 * "Assistant:", which a base model continues.
 */
export function renderChat(messages: readonly ChatMessage[], tokenizer: HfTokenizer): string {
  const templated = tokenizer.applyChatTemplate(messages);
  if (templated !== null) return templated;
  const turns = messages.map((m) => `${ROLE_LABELS[m.role]}: ${m.content}`);
  return [...turns, `${ROLE_LABELS.assistant}:`].join("\n\n");
}
