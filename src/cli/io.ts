import { readFile } from "node:fs/promises";
import { UsageError } from "../errors/index.js";
import { decodeDocumentBytes } from "../sdk/document-text.js";

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The documents to compress: each file is one context; no file (or "-") reads stdin. Files must
 * be UTF-8 text; anything else is refused with the file named.
 */
export async function readDocuments(files: readonly string[]): Promise<string[]> {
  if (files.length === 0 && process.stdin.isTTY) {
    throw new UsageError("no input: pass one or more files, or pipe text to stdin");
  }
  const sources = files.length === 0 ? ["-"] : files;
  return Promise.all(
    sources.map(async (file) => {
      const bytes = file === "-" ? await readStdin() : await readFile(file).catch(cannotRead(file));
      return decodeDocumentBytes(bytes, [file === "-" ? "stdin" : file]);
    }),
  );
}

function cannotRead(file: string) {
  return (error: NodeJS.ErrnoException): never => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  };
}

export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch(cannotRead(file));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}
