import { describe, expect, it } from "vitest";
import { chatPromptParts, completionPromptParts } from "../../src/server/gateway/prompt-parts.js";

describe("what the gateway may compress", () => {
  it("takes system and user texts, never the last question, tool calls, JSON or other roles", () => {
    const messages: Record<string, unknown>[] = [
      { role: "system", content: "Long instructions." },
      { role: "user", content: '{"kind": "json", "keep": true}' },
      { role: "assistant", content: "An earlier answer." },
      { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function" }] },
      { role: "tool", content: "tool output", tool_call_id: "t" },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:," } },
          { type: "text", text: "A pasted document.\n\nMore of it.\n\n  What is the passkey?" },
        ],
      },
    ];
    const { slots, question } = chatPromptParts(messages);
    expect(question).toBe("What is the passkey?");
    expect(slots.map((slot) => slot.text)).toEqual([
      "Long instructions.",
      "A pasted document.\n\nMore of it.",
    ]);
    slots[0]?.write("Short.");
    slots[1]?.write("Doc.");
    expect(messages[0]?.content).toBe("Short.");
    expect((messages[5]?.content as { text?: string }[] | undefined)?.[1]?.text).toBe(
      "Doc.\n\n  What is the passkey?",
    );
  });

  it("leaves a one-paragraph last turn alone: it is all question", () => {
    const { slots, question } = chatPromptParts([{ role: "user", content: "Just a question?" }]);
    expect(slots).toEqual([]);
    expect(question).toBe("Just a question?");
    expect(chatPromptParts("not messages")).toEqual({ slots: [], question: undefined });
  });

  it("splits a completion prompt into context and its last paragraph", () => {
    const body: Record<string, unknown> = { prompt: "Context here.\n\nQuestion?" };
    const { slots, question } = completionPromptParts(body);
    expect(question).toBe("Question?");
    slots[0]?.write("Ctx.");
    expect(body.prompt).toBe("Ctx.\n\nQuestion?");
    expect(completionPromptParts({ prompt: [1, 2, 3] }).slots).toEqual([]);
  });
});
