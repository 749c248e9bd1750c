import { describe, expect, it } from "vitest";
import { MemoryRecords, RecordCache, SizedLru } from "../../src/store/record-cache.js";

describe("SizedLru", () => {
  it("drops the least recently used values once their sizes pass the bound", () => {
    const lru = new SizedLru<string>(5, (value) => value.length);
    lru.set("a", "aa");
    lru.set("b", "bb");
    expect(lru.get("a")).toBe("aa"); // a is now the most recently used
    lru.set("c", "cc");
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe("aa");
    expect(lru.heldSize).toBe(4);
  });

  it("does not keep a value larger than the bound, and replacing a value resizes", () => {
    const lru = new SizedLru<string>(3, (value) => value.length);
    lru.set("big", "xxxx");
    expect(lru.get("big")).toBeUndefined();
    lru.set("k", "xyz");
    lru.set("k", "x");
    expect(lru.heldSize).toBe(1);
    lru.clear();
    expect(lru.heldSize).toBe(0);
  });
});

describe("RecordCache", () => {
  const idOf = (key: { id: number }) => String(key.id);

  it("builds a missing record once for concurrent requests, then serves it stored", async () => {
    const cache = new RecordCache(
      new MemoryRecords<{ id: number }, string>(idOf, 100, () => 1),
      idOf,
    );
    let builds = 0;
    const build = async () => {
      builds += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return `value-${builds}`;
    };
    const [first, second] = await Promise.all([
      cache.getOrBuild({ id: 1 }, build),
      cache.getOrBuild({ id: 1 }, build),
    ]);
    expect(builds).toBe(1);
    expect(first).toEqual({ value: "value-1", built: true });
    expect(second).toEqual(first);
    expect(await cache.getOrBuild({ id: 1 }, build)).toEqual({ value: "value-1", built: false });
    expect(await cache.read({ id: 2 })).toBeNull();
  });

  it("keeps nothing from a failed build, so the next request builds again", async () => {
    const cache = new RecordCache(
      new MemoryRecords<{ id: number }, string>(idOf, 100, () => 1),
      idOf,
    );
    await expect(
      cache.getOrBuild({ id: 1 }, () => Promise.reject(new Error("embedder down"))),
    ).rejects.toThrow("embedder down");
    expect(await cache.getOrBuild({ id: 1 }, async () => "ok")).toEqual({
      value: "ok",
      built: true,
    });
  });
});
