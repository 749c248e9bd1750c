import {
  type CompressJobData,
  compressJobDataSchema,
  MAX_DOCUMENTS_PER_JOB,
} from "../../queues/schemas.js";
import {
  type CompressOptionsInput,
  type CompressRequestInput,
  validateCompressRequest,
} from "../compressors/index.js";
import { CompressionInputError } from "../errors/index.js";
import { documentRef } from "../store/documents.js";

/** A compress job as a producer is about to store it: its data and the documents it references. */
export interface PreparedCompressJob {
  readonly data: CompressJobData;
  /** The UTF-8 bytes of each context, in the order of `data.documents`. */
  readonly documents: readonly Uint8Array[];
}

/**
 * Builds a compress job's data and checks it exactly as a worker will: the compressor's own
 * checks, then the job schema the workers parse (`compressJobDataSchema`: at most
 * `MAX_DOCUMENTS_PER_JOB` contexts, instruction and question up to `MAX_INLINE_TEXT_CHARS`), so
 * a producer (SDK client, CLI, HTTP server) refuses what a worker would fail, before storing
 * anything. `models` is the fingerprint the job must run with (null: any worker's).
 * Throws `CompressionInputError`, whose issue paths name the request's fields (`contexts`,
 * `question`, `instruction`, `options.…`).
 */
export function prepareCompressJob(
  input: CompressRequestInput,
  options: CompressOptionsInput,
  limits: { maxDocumentChars?: number },
  models: string | null,
): PreparedCompressJob {
  const request = validateCompressRequest(input, options, limits);
  const contexts = request.input.contexts;
  if (contexts.length > MAX_DOCUMENTS_PER_JOB) {
    // Said here, in the caller's terms, rather than as the schema's "documents: too big".
    throw CompressionInputError.of(
      ["contexts"],
      `${contexts.length} contexts, over the limit of ${MAX_DOCUMENTS_PER_JOB} per job (use fewer, longer contexts, e.g. a larger --chunk-chars)`,
    );
  }
  const documents = contexts.map((context) => Buffer.from(context, "utf8"));
  const parsed = compressJobDataSchema.safeParse({
    version: 1,
    documents: documents.map(documentRef),
    ...(request.input.instruction !== undefined ? { instruction: request.input.instruction } : {}),
    ...(request.input.question !== undefined ? { question: request.input.question } : {}),
    options: request.options,
    ...(models !== null ? { models } : {}),
  });
  if (!parsed.success) {
    throw new CompressionInputError(
      parsed.error.issues.map((issue) => ({
        ...issue,
        path: issue.path.map((part) => (part === "documents" ? "contexts" : part)),
      })),
    );
  }
  return { data: parsed.data, documents };
}
