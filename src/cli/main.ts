#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ZodError, z } from "zod";
import { benchCommand } from "./commands/bench.js";
import { answerCommand, compressCommand } from "./commands/compress.js";
import { enqueueCommand } from "./commands/enqueue.js";
import { indexCommand } from "./commands/index-documents.js";
import { serveCommand } from "./commands/serve.js";
import { statusCommand } from "./commands/status.js";
import { workerCommand } from "./commands/worker.js";
import { exitCodeFor } from "./exit-codes.js";

const program = new Command("ctxpress")
  .description(
    "Compress long contexts before they reach an LLM, in process or through Redis workers",
  )
  .exitOverride()
  .addCommand(compressCommand())
  .addCommand(answerCommand())
  .addCommand(enqueueCommand())
  .addCommand(indexCommand())
  .addCommand(workerCommand())
  .addCommand(serveCommand())
  .addCommand(statusCommand())
  .addCommand(benchCommand());

for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = exitCodeFor(error);
  // commander already printed its own usage errors.
  if (!(error instanceof CommanderError)) process.stderr.write(`ctxpress: ${describe(error)}\n`);
  process.exitCode = code;
}

function describe(error: unknown): string {
  if (error instanceof ZodError) return `invalid configuration:\n${z.prettifyError(error)}`;
  return error instanceof Error ? error.message : String(error);
}
