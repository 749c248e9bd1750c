import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FILLER_HAYSTACK } from "../../bench/tasks/index.js";
import { rewordedPasskey } from "../../training/reworded-passkey.js";
import { REPO_ROOT } from "../helpers/training-run.js";
import { countWords } from "../tasks/helpers.js";

const samples = Array.from({ length: 40 }, (_, i) =>
  rewordedPasskey({
    seed: 1000 + i,
    lengthTokens: 400,
    countTokens: countWords,
    haystack: FILLER_HAYSTACK,
    depth: (i % 5) / 4,
  }),
);

describe("reworded passkey rows (training only)", () => {
  it("state the key once, in a sentence the question asks about", () => {
    for (const sample of samples) {
      const key = sample.answers[0] ?? "";
      const context = sample.contexts.join("\n");
      expect(context.split(key).length - 1).toBe(1);
      expect(sample.meta.needles).toHaveLength(1);
      expect(sample.meta.needles?.[0]).toContain(key);
      expect(sample.task).toBe("passkey");
    }
  });

  it("use several phrasings, none with the demo's words, so the demo stays held out", () => {
    const demo = JSON.parse(readFileSync(`${REPO_ROOT}/examples/long-document.json`, "utf8")) as {
      fact: string;
    };
    const shapes = [/ wrote the /, /^Remember this: /, / said that /, /^The [\w ]+ is \d+\.$/];
    const phrasings = new Set(
      samples.map((s) => shapes.findIndex((shape) => shape.test(s.meta.needles?.[0] ?? ""))),
    );
    expect(phrasings.has(-1)).toBe(false);
    expect(phrasings.size).toBe(shapes.length);
    for (const word of ["harbour", "Nantucket", "ledger", "Pequod", "ship"]) {
      expect(demo.fact).toContain(word);
      for (const sample of samples) {
        expect(`${sample.meta.needles?.[0]} ${sample.question}`).not.toContain(word);
      }
    }
  });

  it("are a pure function of the seed", () => {
    const again = rewordedPasskey({
      seed: 1000,
      lengthTokens: 400,
      countTokens: countWords,
      haystack: FILLER_HAYSTACK,
      depth: 0,
    });
    expect(again).toEqual(samples[0]);
  });
});
