import { errorToJSON } from "bullmq";
import { describe, expect, it } from "vitest";
import { at } from "../../src/errors/at.js";
import * as api from "../../src/index.js";
import {
  CompressionInputError,
  ContextWindowError,
  CtxpressError,
  ERROR_CODES,
  InternalInvariantError,
  JobFailedError,
  ModelLoadError,
} from "../../src/index.js";

/** What the parent of a BullMQ sandboxed child rebuilds from the child's error. */
function acrossSandbox(error: Error): Error {
  return Object.assign(new Error(), errorToJSON(error));
}

const errorClasses = Object.entries(api).filter(
  (entry): entry is [string, typeof CtxpressError] =>
    typeof entry[1] === "function" && entry[1].prototype instanceof CtxpressError,
);

describe("error hierarchy", () => {
  it("exports one class per code, each named after itself", () => {
    const codes = errorClasses.map(([, errorClass]) => errorClass.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
    for (const [exported, errorClass] of errorClasses) {
      const error = Object.create(errorClass.prototype) as CtxpressError;
      expect(errorClass.name).toBe(exported);
      expect(error).toBeInstanceOf(CtxpressError);
    }
  });

  it("sets name and code as own properties", () => {
    const error = new ContextWindowError("too long", 10, 5);
    expect(Object.getOwnPropertyNames(error)).toEqual(expect.arrayContaining(["name", "code"]));
    expect(error).toMatchObject({ name: "ContextWindowError", code: "CONTEXT_WINDOW" });
    expect(error).toBeInstanceOf(Error);
  });

  it("keeps name, code, fields and instanceof across the sandboxed worker boundary", () => {
    const rebuilt = acrossSandbox(CompressionInputError.of(["options", "rate"], "too big"));
    expect(rebuilt).toBeInstanceOf(CompressionInputError);
    expect(rebuilt).toBeInstanceOf(CtxpressError);
    expect(rebuilt).not.toBeInstanceOf(ModelLoadError);
    expect(rebuilt).toMatchObject({ name: "CompressionInputError", code: "INVALID_INPUT" });
    expect((rebuilt as CompressionInputError).issues[0]?.path).toEqual(["options", "rate"]);
    const failed = acrossSandbox(new JobFailedError("j1", "boom"));
    expect(failed).toBeInstanceOf(JobFailedError);
    expect((failed as JobFailedError).jobId).toBe("j1");
  });

  it("does not claim foreign errors", () => {
    expect(new Error("x")).not.toBeInstanceOf(CtxpressError);
    expect(Object.assign(new Error("x"), { code: "ENOENT" })).not.toBeInstanceOf(CtxpressError);
    expect({ code: "INVALID_INPUT" }).not.toBeInstanceOf(CompressionInputError);
  });

  it("prefixes an input error's paths", () => {
    const moved = CompressionInputError.of([], "bad tag").under(["input", "contexts", 2]);
    expect(moved.issues[0]?.path).toEqual(["input", "contexts", 2]);
    expect(moved.message).toMatch(/input\.contexts\.2: bad tag/);
  });
});

describe("at", () => {
  it("reads in-range values and throws an InternalInvariantError out of range", () => {
    expect(at([1, 2, 3], 2)).toBe(3);
    expect(at(new Float32Array([0.5]), 0)).toBe(0.5);
    expect(() => at([1], 1)).toThrow(InternalInvariantError);
    expect(() => at([1], -1)).toThrow(InternalInvariantError);
  });
});
