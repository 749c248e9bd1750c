import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  docQa,
  multiKey,
  multiValue,
  passkey,
  readerCompletion,
  readerPrompt,
  scoreSample,
  TASK_GENERATORS,
  TASK_NAMES,
  variableTracking,
} from "../../bench/tasks/index.js";
import { countWords, TEST_HAYSTACK } from "./helpers.js";

const base = { countTokens: countWords, haystack: TEST_HAYSTACK };

describe("every generator", () => {
  const make = {
    passkey: (seed: number, lengthTokens: number) =>
      passkey({ ...base, seed, lengthTokens, depth: 0.4 }),
    "multi-key": (seed: number, lengthTokens: number) =>
      multiKey({ ...base, seed, lengthTokens, depth: 0.4 }),
    "multi-value": (seed: number, lengthTokens: number) =>
      multiValue({ ...base, seed, lengthTokens }),
    "variable-tracking": (seed: number, lengthTokens: number) =>
      variableTracking({ ...base, seed, lengthTokens }),
    "doc-qa": (seed: number, lengthTokens: number) =>
      docQa({ ...base, seed, lengthTokens, documents: 10, position: 3 }),
  };

  it("covers every task name", () => {
    expect(Object.keys(make).sort()).toEqual([...TASK_NAMES].sort());
    expect(Object.keys(TASK_GENERATORS).sort()).toEqual([...TASK_NAMES].sort());
  });

  it.each(TASK_NAMES)("%s is deterministic by seed and varies across seeds", (task) => {
    expect(make[task](7, 600)).toEqual(make[task](7, 600));
    expect(make[task](8, 600).answers).not.toEqual(make[task](7, 600).answers);
  });

  it.each(TASK_NAMES)("%s fills the prompt to just under the requested length", (task) => {
    for (const lengthTokens of [300, 1000, 3000]) {
      const sample = make[task](1, lengthTokens);
      const tokens = countWords(readerPrompt(sample));
      expect(sample.meta.lengthTokens).toBe(tokens);
      expect(tokens).toBeLessThanOrEqual(lengthTokens);
      expect(tokens).toBeGreaterThan(lengthTokens - 12);
      expect(sample.meta.requestedTokens).toBe(lengthTokens);
    }
  });

  it.each(TASK_NAMES)(
    "%s puts every needle in the contexts and scores its own answer 1",
    (task) => {
      const sample = make[task](3, 800);
      const context = sample.contexts.join("\n\n");
      for (const needle of sample.meta.needles) expect(context).toContain(needle);
      expect(scoreSample(sample, readerCompletion(sample))).toBe(1);
      expect(scoreSample(sample, " I do not know.")).toBe(0);
      expect(readerPrompt(sample).endsWith(`Answer: ${sample.answerPrefix}`)).toBe(true);
    },
  );
});

describe("passkey", () => {
  it("hides the key once, at the requested depth", () => {
    for (const depth of [0, 0.25, 0.5, 0.75, 1]) {
      const sample = passkey({ ...base, seed: 11, lengthTokens: 4000, depth });
      const [context] = sample.contexts as [string];
      const key = sample.answers[0] as string;
      expect(key).toMatch(/^\d{5}$/);
      const at = context.indexOf(`The pass key is ${key}.`);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(context.indexOf(`The pass key is ${key}.`, at + 1)).toBe(-1);
      expect(Math.abs(at / context.length - depth)).toBeLessThan(0.03);
      expect(sample.meta.depth).toBe(depth);
    }
  });

  it("rejects a depth outside [0, 1] and a length below the fixed text", () => {
    expect(() => passkey({ ...base, seed: 1, lengthTokens: 500, depth: 1.5 })).toThrow(ZodError);
    const countChars = (text: string) => text.length;
    expect(() =>
      passkey({ ...base, countTokens: countChars, seed: 1, lengthTokens: 64, depth: 0.5 }),
    ).toThrow(RangeError);
  });
});

describe("multi-key", () => {
  it("asks for one of several distinct keys and answers with that key's value", () => {
    const sample = multiKey({ ...base, seed: 5, lengthTokens: 1500, depth: 0.8, keys: 6 });
    const needles = sample.meta.needles.map(
      (n) => n.match(/for (\S+) is: (\d{7})\./)?.slice(1) as [string, string],
    );
    expect(needles).toHaveLength(6);
    expect(new Set(needles.map(([key]) => key)).size).toBe(6);
    const asked = needles.find(([key]) => sample.question.includes(`for ${key} `));
    expect(sample.answers).toEqual([asked?.[1]]);
  });
});

describe("multi-value", () => {
  it("lists every value of the key in the order they appear", () => {
    const sample = multiValue({ ...base, seed: 9, lengthTokens: 1500, values: 4 });
    const [context] = sample.contexts as [string];
    const positions = sample.answers.map((v) => context.indexOf(v));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(scoreSample(sample, ` ${sample.answers.slice(0, 2).join(", ")}.`)).toBe(0.5);
  });
});

describe("variable tracking", () => {
  it("states each chain in order and answers with the queried chain's variables", () => {
    const sample = variableTracking({ ...base, seed: 4, lengthTokens: 2000, hops: 3, chains: 2 });
    const [context] = sample.contexts as [string];
    expect(sample.answers).toHaveLength(4);
    const [first, ...rest] = sample.answers as [string, ...string[]];
    const value = sample.question.match(/value (\d+)/)?.[1];
    expect(context).toContain(`VAR ${first} = ${value}.`);
    let previous = first;
    let cursor = context.indexOf(`VAR ${first} =`);
    for (const name of rest) {
      const at = context.indexOf(`VAR ${name} = VAR ${previous}.`);
      expect(at).toBeGreaterThan(cursor);
      [previous, cursor] = [name, at];
    }
    expect(sample.meta.needles).toHaveLength(8);
  });
});

describe("document QA", () => {
  it("puts the only answering document at the requested position", () => {
    for (const position of [1, 5, 10, 15, 20]) {
      const sample = docQa({ ...base, seed: 21, lengthTokens: 3000, documents: 20, position });
      expect(sample.contexts).toHaveLength(20);
      expect(sample.meta.position).toBe(position);
      const fact = `${sample.answerPrefix} ${sample.answers[0]}.`;
      const holding = sample.contexts.flatMap((doc, i) => (doc.includes(fact) ? [i + 1] : []));
      expect(holding).toEqual([position]);
      expect(sample.contexts[position - 1]).toMatch(
        new RegExp(`^Document \\[${position}\\]\\(Title: `),
      );
    }
  });

  it("includes distractor facts about the same attribute of other entities", () => {
    const sample = docQa({ ...base, seed: 2, lengthTokens: 3000, documents: 20, position: 10 });
    const attribute = sample.question.match(/^What is the (.+) of /)?.[1] as string;
    const sameAttribute = sample.meta.needles.filter((n) => n.startsWith(`The ${attribute} of `));
    expect(sameAttribute.length).toBeGreaterThan(2);
    const others = sample.meta.needles.filter((n) => !n.startsWith(sample.answerPrefix));
    expect(
      others.some((n) => n.endsWith(` ${sample.answers[0]}.`) && n.startsWith(`The ${attribute} `)),
    ).toBe(false);
  });

  it("rejects a position outside the documents", () => {
    expect(() =>
      docQa({ ...base, seed: 1, lengthTokens: 2000, documents: 5, position: 6 }),
    ).toThrow(ZodError);
    expect(() =>
      docQa({ ...base, seed: 1, lengthTokens: 2000, documents: 5, position: 0 }),
    ).toThrow(ZodError);
  });
});
