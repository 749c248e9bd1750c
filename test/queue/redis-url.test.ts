import { describe, expect, it } from "vitest";
import { clusterPrefixProblem, redisOptionsFromUrl } from "../../queues/connection.js";
import { parseRedisUrl, redactPassword, redactRedisUrl } from "../../queues/redis-url.js";

describe("Redis URLs", () => {
  it("parse one server, TLS, users and cluster seed lists", () => {
    expect(parseRedisUrl("redis://app:p%40ss@db.example:6380/2")).toEqual({
      nodes: [{ host: "db.example", port: 6380 }],
      cluster: false,
      tls: false,
      username: "app",
      password: "p@ss",
      db: 2,
    });
    expect(parseRedisUrl("rediss+cluster://:pw@10.0.0.1:7000,10.0.0.2")).toMatchObject({
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 6379 },
      ],
      cluster: true,
      tls: true,
    });
    expect(() => parseRedisUrl("http://localhost")).toThrow(/must be redis:\/\//);
    expect(() => parseRedisUrl("redis+cluster://a:1,b:2/3")).toThrow();
    expect(redisOptionsFromUrl("rediss://localhost:6390")).toMatchObject({
      host: "localhost",
      port: 6390,
      tls: {},
    });
  });

  it("are printed without their password", () => {
    expect(redactRedisUrl("redis://:s3cret@host:6379")).toBe("redis://:***@host:6379");
    expect(redactRedisUrl("redis+cluster://app:s3cret@a:1,b:2")).toBe(
      "redis+cluster://app:***@a:1,b:2",
    );
    expect(redactRedisUrl("redis://host:6379")).toBe("redis://host:6379");
    const url = "redis://app:s3cret%21@host:6379";
    expect(redactPassword(`failed at ${url} (s3cret!)`, url)).toBe(
      "failed at redis://app:***@host:6379 (***)",
    );
  });

  it("need a hash-tag prefix on a cluster", () => {
    expect(clusterPrefixProblem("redis+cluster://a:1", "ctxpress")).toMatch(/\{ctxpress\}/);
    expect(clusterPrefixProblem("redis+cluster://a:1", "{ctxpress}")).toBeNull();
    expect(clusterPrefixProblem("redis://a:1", "ctxpress")).toBeNull();
  });
});
