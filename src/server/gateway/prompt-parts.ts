/**
 * Which texts of an OpenAI request the gateway may compress. Compressed: the string content and
 * text parts of system and user messages (and a completion's prompt). Never compressed: assistant
 * and tool messages, messages with tool calls, non-text parts, texts that parse as JSON, and the
 * question of the last user turn — its last paragraph (after the last blank line), kept verbatim
 * and handed to question-aware methods as their question. A last user turn of one paragraph is
 * all question. (Other gateways compress whole messages; splitting off the question is ctxpress'
 * choice, so a long pasted document and the question after it can share one message.)
 */

/** A compressible text and how to put its compressed form back into the request. */
export interface TextSlot {
  readonly text: string;
  write(compressed: string): void;
}

export interface CompressiblePrompt {
  readonly slots: TextSlot[];
  /** The last user turn's question; undefined when there is none. */
  readonly question: string | undefined;
}

const PARAGRAPH_BREAK = /\n\s*\n/g;

function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/** Splits `text` at its last blank line: [everything before, the last paragraph]. */
function splitLastParagraph(text: string): [string, string] {
  let cut = -1;
  let after = -1;
  for (const match of text.matchAll(PARAGRAPH_BREAK)) {
    cut = match.index;
    after = match.index + match[0].length;
  }
  return cut === -1 ? ["", text] : [text.slice(0, cut), text.slice(after)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface TextHolder {
  readonly text: string;
  set(text: string): void;
}

/** The text holders of one message: its string content, or its text parts. */
function textsOf(message: Record<string, unknown>): TextHolder[] {
  const { content } = message;
  if (typeof content === "string") {
    return [{ text: content, set: (text) => (message.content = text) }];
  }
  if (!Array.isArray(content)) return [];
  return content
    .filter((part): part is Record<string, unknown> & { text: string } => {
      return isRecord(part) && part.type === "text" && typeof part.text === "string";
    })
    .map((part) => ({ text: part.text, set: (text) => (part.text = text) }));
}

/** A slot over `holder`, or, for the holder of the last question, over the text before it. */
function slotsOf(holder: TextHolder, holdsQuestion: boolean): TextSlot[] {
  if (looksLikeJson(holder.text)) return [];
  if (!holdsQuestion) return [{ text: holder.text, write: (text) => holder.set(text) }];
  const [before, question] = splitLastParagraph(holder.text);
  if (before.trim() === "") return [];
  return [{ text: before, write: (text) => holder.set(`${text}\n\n${question}`) }];
}

/**
 * The compressible texts of a chat request's `messages` (edited in place through the slots).
 * Anything that is not an OpenAI message array yields nothing: the upstream judges it.
 */
export function chatPromptParts(messages: unknown): CompressiblePrompt {
  if (!Array.isArray(messages)) return { slots: [], question: undefined };
  const lastUser = messages.findLastIndex((each) => isRecord(each) && each.role === "user");
  const slots: TextSlot[] = [];
  let question: string | undefined;
  messages.forEach((message, index) => {
    if (!isRecord(message) || (message.role !== "system" && message.role !== "user")) return;
    if (message.tool_calls !== undefined) return;
    const holders = textsOf(message);
    holders.forEach((holder, part) => {
      const holdsQuestion = index === lastUser && part === holders.length - 1;
      if (holdsQuestion && !looksLikeJson(holder.text)) {
        question = splitLastParagraph(holder.text)[1].trim() || undefined;
      }
      slots.push(...slotsOf(holder, holdsQuestion));
    });
  });
  return { slots, question };
}

/** The compressible text of a completion request whose `prompt` is one string. */
export function completionPromptParts(body: Record<string, unknown>): CompressiblePrompt {
  const { prompt } = body;
  if (typeof prompt !== "string") return { slots: [], question: undefined };
  const holder: TextHolder = { text: prompt, set: (text) => (body.prompt = text) };
  const question = splitLastParagraph(prompt)[1].trim() || undefined;
  return { slots: slotsOf(holder, true), question };
}
