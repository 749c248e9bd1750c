import { z } from "zod";

/**
 * Where Redis is: `redis://` or `rediss://` (TLS) for one server, `redis+cluster://` or
 * `rediss+cluster://` for a Redis Cluster, whose URL lists seed nodes separated by commas:
 * `redis+cluster://[user:password@]host:port,host:port,…`. A cluster has no database index.
 */
const URL_PATTERN = /^(rediss?)(\+cluster)?:\/\/(?:([^@/]*)@)?([^/?#]*)(?:\/([^?#]*))?$/;

export const redisUrlSchema = z
  .string()
  .trim()
  .refine(
    (value) => parseRedisUrlOrNull(value) !== null,
    "must be redis://, rediss://, redis+cluster:// or rediss+cluster:// followed by host:port (comma-separated nodes for a cluster)",
  );

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export interface ParsedRedisUrl {
  readonly nodes: readonly RedisNode[];
  readonly cluster: boolean;
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
}

/**
 * The parts of a Redis URL (see `redisUrlSchema`). Throws a `ZodError` naming the problem, never
 * echoing the URL (it may hold a password).
 */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  const parsed = parseRedisUrlOrNull(redisUrlSchema.parse(url));
  if (parsed === null) throw new Error("unreachable: redisUrlSchema checked the URL");
  return parsed;
}

function parseRedisUrlOrNull(url: string): ParsedRedisUrl | null {
  const match = URL_PATTERN.exec(url);
  if (!match) return null;
  const [, scheme, cluster, userinfo, hosts = "", path = ""] = match;
  const nodes = (hosts === "" && !cluster ? "127.0.0.1" : hosts).split(",").map(parseNode);
  if (nodes.some((node) => node === null)) return null;
  if (path !== "" && (cluster || !/^\d+$/.test(path))) return null;
  const [username = "", password = ""] = splitUserinfo(userinfo ?? "");
  return {
    nodes: nodes as RedisNode[],
    cluster: cluster !== undefined,
    tls: scheme === "rediss",
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(path ? { db: Number(path) } : {}),
  };
}

function parseNode(text: string): RedisNode | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match) return null;
  const port = match[2] === undefined ? 6379 : Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { host: (match[1] ?? "").replace(/^\[|\]$/g, "") || "127.0.0.1", port };
}

function splitUserinfo(userinfo: string): [string, string] {
  const colon = userinfo.indexOf(":");
  return colon < 0 ? [userinfo, ""] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
}

/**
 * The URL as it may be printed: the password replaced by `***` (`redis://:***@host:6379`).
 * Every message and log line that names a Redis URL goes through this.
 */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_match, scheme: string, userinfo: string) => {
    const [username, password] = splitUserinfo(userinfo);
    return password ? `${scheme}${username}:***@` : `${scheme}${userinfo}@`;
  });
}

/**
 * `text` with any occurrence of the URL's password replaced by `***`: for messages that come
 * from elsewhere (ioredis, BullMQ) and might quote the connection string.
 */
export function redactPassword(text: string, url: string): string {
  const password = parseRedisUrlOrNull(url.trim())?.password;
  let redacted = text.split(url).join(redactRedisUrl(url));
  // A password of a few characters would garble the message and protects little anyway.
  if (password && password.length >= 4) {
    for (const form of new Set([password, encodeURIComponent(password)])) {
      redacted = redacted.split(form).join("***");
    }
  }
  return redacted;
}
