import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawnCli, type WorkerProcess } from "../workers/worker-process.js";

const tinyRandom = fileURLToPath(new URL("../../models/tiny-random", import.meta.url));

/** The embedded tiny-random model as scorer and decoder: fast, and enough to compress. */
export const TINY_MODELS = {
  scorer: { type: "onnx", model: tinyRandom },
  decoder: { type: "onnx", model: tinyRandom },
} as const;

/** TINY_MODELS as a `--models` file. */
export function tinyModelsFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ctxpress-serve-")), "models.json");
  writeFileSync(file, JSON.stringify(TINY_MODELS));
  return file;
}

export interface ServeProcess {
  readonly process: WorkerProcess;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
}

/** `ctxpress serve --port 0 <args>` with the tiny models, once it logs `ready`. */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const serve = spawnCli(["serve", "--port", "0", "--models", tinyModelsFile(), ...args]);
  const listening = await serve.waitForLine(/listening on /, 120_000);
  await serve.waitForLine(/ ready$/, 120_000);
  const url = /listening on (http:\/\/\S+)/.exec(listening)?.[1];
  if (url === undefined) throw new Error(`no address in: ${listening}`);
  return { process: serve, url };
}

/** Long enough that compressing it keeps a server busy for a moment on tiny-random. */
export const LONG_CONTEXT = Array.from(
  { length: 60 },
  (_, index) =>
    `Paragraph ${index}: the lighthouse keeper counted the ships every evening and wrote their names in the harbour ledger.`,
).join("\n\n");

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
