import { describe, expect, it } from "vitest";
import {
  bestSubspanEm,
  firstIntegerMatch,
  normalizeAnswer,
  stringMatchAll,
  stringMatchPart,
} from "../../bench/tasks/index.js";

describe("task metrics", () => {
  it("normalises like SQuAD", () => {
    expect(normalizeAnswer("  The Grand-Hotel, an INN! ")).toBe("grand hotel inn");
  });

  it("best_subspan_em looks for the normalised answer in the first line, on word boundaries", () => {
    expect(bestSubspanEm(" Crimson.\nOr maybe teal.", ["crimson"])).toBe(1);
    expect(bestSubspanEm(" I think it is teal.\nCrimson", ["crimson"])).toBe(0);
    expect(bestSubspanEm(" 123456", ["12345"])).toBe(0);
    expect(bestSubspanEm(" Vurcith Sioxzi.", ["Vurcith Sioxzi"])).toBe(1);
  });

  it("string_match_all is the share of references found, string_match_part any of them", () => {
    expect(stringMatchAll("ABCDE and fghij", ["abcde", "FGHIJ", "KLMNO", "PQRST"])).toBe(0.5);
    expect(stringMatchPart("nothing here", ["abcde"])).toBe(0);
    expect(stringMatchPart("it is ABCDE", ["x", "abcde"])).toBe(1);
  });

  it("the passkey metric compares the first integer only", () => {
    expect(firstIntegerMatch(" 40297. Remember it.", ["40297"])).toBe(1);
    expect(firstIntegerMatch(" 4029 7", ["40297"])).toBe(0);
    expect(firstIntegerMatch(" no digits", ["40297"])).toBe(0);
  });
});
