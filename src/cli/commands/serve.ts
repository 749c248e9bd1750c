import { Command } from "commander";
import {
  integer,
  modelsConfigFromFlags,
  number,
  parseJsonObject,
  type RedisFlags,
  redisSettingsFromFlags,
  withModelFlags,
  withRedisFlags,
} from "../flags.js";

interface ServeFlags extends RedisFlags {
  host: string;
  port: number;
  upstream?: string;
  queue?: boolean;
  models?: string;
  apiKeysFile?: string;
  compressOver?: number;
  policyOptions?: string;
  failClosed?: boolean;
  bodyLimit?: number;
  workTimeout?: number;
  upstreamTimeout?: number;
  maxInFlight?: number;
  drainTimeout?: number;
  maxDocumentChars?: number;
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

/** Env variable with the upstream's API key (not a flag: flags show in `ps`). */
const UPSTREAM_KEY_ENV = "CTXPRESS_UPSTREAM_API_KEY";

export function serveCommand(): Command {
  return withModelFlags(withRedisFlags(new Command("serve")))
    .description(
      "serve the REST API and an OpenAI-compatible compressing gateway until SIGTERM or SIGINT",
    )
    .option(
      "--host <host>",
      "address to listen on (other than loopback: API keys required)",
      "127.0.0.1",
    )
    .option("--port <port>", "port to listen on (0: any free port)", integer, 8080)
    .option(
      "--upstream <url>",
      `OpenAI-compatible base URL the gateway forwards to, e.g. http://127.0.0.1:8000/v1 (its key: ${UPSTREAM_KEY_ENV})`,
    )
    .option(
      "--queue",
      "compress on `ctxpress worker` processes through Redis instead of in this process",
    )
    .option(
      "--api-keys-file <file>",
      "bearer API keys clients must send, one per line (also CTXPRESS_API_KEYS, comma-separated)",
    )
    .option(
      "--compress-over <tokens>",
      "gateway policy: compress system/user messages of at least this many tokens (with --policy-options)",
      integer,
    )
    .option(
      "--policy-options <json>",
      'gateway policy: compression options, e.g. \'{"method":"llmlingua2","rate":0.5}\' (default: llmlingua, rate 0.5)',
    )
    .option(
      "--fail-closed",
      "answer 502 when the gateway's compression fails (default: forward uncompressed)",
    )
    .option("--body-limit <bytes>", "largest request body", integer)
    .option("--work-timeout <ms>", "longest a compression, answer or index may take", integer)
    .option("--upstream-timeout <ms>", "longest the upstream may take to answer", integer)
    .option("--max-in-flight <n>", "compressions running at once; more get 429", integer)
    .option(
      "--drain-timeout <ms>",
      "on SIGTERM, how long in-flight requests may still take",
      number,
    )
    .option("--max-document-chars <n>", "refuse documents longer than this", integer)
    .action(async (flags: ServeFlags) => {
      const [{ parseServeConfig }, { loadApiKeys }, { startServer }] = await Promise.all([
        import("../../server/config.js"),
        import("../../server/auth.js"),
        import("../../server/start.js"),
      ]);
      const config = parseServeConfig({
        host: flags.host,
        port: flags.port,
        upstream: flags.upstream,
        upstreamApiKey: process.env[UPSTREAM_KEY_ENV] || undefined,
        queue: flags.queue === true,
        ...redisSettingsFromFlags(flags),
        apiKeys: await loadApiKeys(flags.apiKeysFile),
        bodyLimit: flags.bodyLimit,
        workTimeoutMs: flags.workTimeout,
        upstreamTimeoutMs: flags.upstreamTimeout,
        maxInFlight: flags.maxInFlight,
        drainTimeoutMs: flags.drainTimeout,
        failOpen: flags.failClosed !== true,
        maxDocumentChars: flags.maxDocumentChars,
        policy:
          flags.compressOver === undefined
            ? undefined
            : {
                minTokens: flags.compressOver,
                options:
                  flags.policyOptions === undefined
                    ? { method: "llmlingua", rate: 0.5 }
                    : parseJsonObject(flags.policyOptions, "--policy-options"),
              },
        models: await modelsConfigFromFlags(flags),
      });
      await startServer(config, log);
    });
}
