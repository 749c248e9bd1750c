import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatasetError, loadDataset, parseDataset } from "../../bench/runner/dataset.js";
import { benchPrompt } from "../../bench/runner/samples.js";

const dir = mkdtempSync(join(tmpdir(), "ctxpress-dataset-"));

function file(name: string, lines: readonly unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n"));
  return path;
}

function errorOf(run: () => unknown): DatasetError {
  try {
    run();
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error("expected a DatasetError");
}

describe("JSONL dataset loader", () => {
  it("loads context and documents records, skipping blank lines and extra fields", () => {
    const path = file("longbench-qa.jsonl", [
      {
        context: "The capital of Zarnia is Quell.",
        question: "What is the capital of Zarnia?",
        answers: ["Quell"],
        _id: "x",
        length: 7,
      },
      "",
      {
        id: "two",
        documents: ["Doc one.", "Doc two says 42."],
        question: "What number?",
        answers: ["42", "forty-two"],
        instruction: "Read the documents.",
        answerPrefix: "The number is",
      },
    ]);
    const samples = loadDataset(path);
    expect(samples.map((s) => s.id)).toEqual(["longbench-qa-line1", "longbench-qa-two"]);
    const [first, second] = samples as [(typeof samples)[0], (typeof samples)[0]];
    expect(first.task).toBe("dataset:longbench-qa");
    expect(first.contexts).toEqual(["The capital of Zarnia is Quell."]);
    expect(first.ref).toEqual({ kind: "dataset", dataset: "longbench-qa", line: 1 });
    expect(second.ref).toEqual({ kind: "dataset", dataset: "longbench-qa", line: 3 });
    expect(second.contexts).toEqual(["Doc one.", "Doc two says 42."]);
    expect(benchPrompt(second, second.contexts)).toBe(
      "Read the documents.\n\nDoc one.\n\nDoc two says 42.\n\nQuestion: What number?\nAnswer: The number is",
    );
    // Without an answer prefix the prompt ends at "Answer:", with no dangling space.
    expect(benchPrompt(first, first.contexts).endsWith("\nAnswer:")).toBe(true);
    expect(first.score(" It is quell, I think")).toBe(1);
    expect(first.score(" Zarnia")).toBe(0);
  });

  it("scores with the chosen metric", () => {
    const path = file("metric.jsonl", [{ context: "c", question: "q?", answers: ["New York"] }]);
    const [contains] = loadDataset(path, "contains");
    const [exact] = loadDataset(path, "exact");
    const [subspan] = loadDataset(path, "subspan-em");
    expect(contains?.score("in new york city")).toBe(1);
    expect(exact?.score("in new york city")).toBe(0);
    expect(exact?.score(" New York.\nmore")).toBe(1);
    expect(subspan?.score("the newyork office")).toBe(0);
    expect(subspan?.score("in New York, of course")).toBe(1);
  });

  it("names the file, the line and the field of every problem", () => {
    const missing = errorOf(() =>
      parseDataset(
        ['{"context":"c","question":"q","answers":["a"]}', '{"context":"c","answers":[]}'].join(
          "\n",
        ),
        "set.jsonl",
      ),
    );
    expect(missing.line).toBe(2);
    expect(missing.message).toMatch(/^set\.jsonl:2: /);
    expect(missing.message).toMatch(/question: /);
    expect(missing.message).toMatch(/answers: needs at least one answer/);

    const both = errorOf(() =>
      parseDataset('{"context":"c","documents":["d"],"question":"q","answers":["a"]}', "b.jsonl"),
    );
    expect(both.message).toMatch(/exactly one of "context" .* or "documents"/);
    const neither = errorOf(() => parseDataset('{"question":"q","answers":["a"]}', "n.jsonl"));
    expect(neither.message).toMatch(/exactly one of/);

    expect(errorOf(() => parseDataset('{"context": "c",', "j.jsonl")).message).toMatch(
      /^j\.jsonl:1: not JSON/,
    );
    expect(
      errorOf(() => parseDataset('{"context":"  ","question":"q","answers":["a"]}', "e.jsonl"))
        .message,
    ).toMatch(/context: must not be empty/);
    expect(
      errorOf(() => parseDataset('{"context":"c","question":"q","answers":"a"}', "s.jsonl"))
        .message,
    ).toMatch(/answers: /);
    expect(errorOf(() => parseDataset("\n\n", "empty.jsonl")).message).toBe(
      "empty.jsonl: holds no records",
    );
  });

  it("refuses repeated ids and unreadable files", () => {
    const path = file("dup.jsonl", [
      { id: 7, context: "c", question: "q", answers: ["a"] },
      { id: 7, context: "d", question: "q", answers: ["a"] },
    ]);
    expect(errorOf(() => loadDataset(path)).message).toMatch(
      /dup\.jsonl:2: id: repeats the id of line 1/,
    );
    expect(errorOf(() => loadDataset(join(dir, "nope.jsonl"))).message).toMatch(
      /cannot read \(ENOENT\)/,
    );
  });
});
