import { describe, expect, it } from "vitest";
import { defaultMethod, requestFromFlags } from "../../src/cli/flags.js";

describe("the CLI's default method", () => {
  it("is landmark with a question (the benchmark's fact keeper) and llmlingua without", () => {
    expect(defaultMethod("Where is the key?")).toBe("landmark");
    expect(defaultMethod(undefined)).toBe("llmlingua");
    expect(requestFromFlags(["text"], { question: "Where is the key?" }).options.method).toBe(
      "landmark",
    );
    expect(requestFromFlags(["text"], {}).options.method).toBe("llmlingua");
  });

  it("gives way to --method", () => {
    const { options } = requestFromFlags(["text"], { question: "Why?", method: "longllmlingua" });
    expect(options.method).toBe("longllmlingua");
  });
});
