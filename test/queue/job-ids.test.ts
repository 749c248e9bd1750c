import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../queues/hash.js";
import {
  answerChildJobId,
  answerJobId,
  compressionCacheKey,
  compressJobId,
  requestKey,
} from "../../queues/job-ids.js";
import { compressJobDataSchema, generationOptionsSchema } from "../../queues/schemas.js";

const doc = { sha256: "a".repeat(64), bytes: 10 };

describe("job ids", () => {
  it("are equal for equal requests whatever the key order, and differ otherwise", () => {
    const one = compressJobDataSchema.parse({
      version: 1,
      documents: [doc],
      question: "q",
      options: { method: "llmlingua", rate: 0.5 },
    });
    const reordered = compressJobDataSchema.parse({
      options: { rate: 0.5, method: "llmlingua" },
      question: "q",
      documents: [doc],
      version: 1,
    });
    const otherRate = compressJobDataSchema.parse({
      ...one,
      options: { method: "llmlingua", rate: 0.4 },
    });
    const otherQuestion = compressJobDataSchema.parse({ ...one, question: "r" });
    expect(requestKey(one)).toBe(requestKey(reordered));
    expect(requestKey(one)).not.toBe(requestKey(otherRate));
    expect(requestKey(one)).not.toBe(requestKey(otherQuestion));
    expect(compressJobId(requestKey(one))).not.toContain(":");
  });

  it("differ when the request names other models", () => {
    const data = { version: 1, documents: [doc], options: { method: "llmlingua" } } as const;
    const a = compressJobDataSchema.parse({ ...data, models: "a".repeat(64) });
    const b = compressJobDataSchema.parse({ ...data, models: "b".repeat(64) });
    expect(compressJobId(requestKey(a))).not.toBe(compressJobId(requestKey(b)));
    expect(requestKey(a)).not.toBe(requestKey(compressJobDataSchema.parse(data)));
  });

  it("separate cache entries per model configuration", () => {
    expect(compressionCacheKey("r", "models-a")).not.toBe(compressionCacheKey("r", "models-b"));
  });

  it("give an answer flow's compress child an id of its own", () => {
    const generation = generationOptionsSchema.parse({});
    const id = answerJobId("r", generation);
    expect(id).not.toBe(answerJobId("r", generationOptionsSchema.parse({ maxNewTokens: 5 })));
    expect(answerChildJobId(id)).not.toBe(compressJobId("r"));
    expect(id).not.toContain(":");
  });

  it("canonical JSON sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: undefined, b: 2 } })).toBe(
      '{"a":{"b":2,"d":1},"b":[2,1]}',
    );
  });
});
