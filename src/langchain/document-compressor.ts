import type { Callbacks } from "@langchain/core/callbacks/manager";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import { BaseDocumentCompressor } from "@langchain/core/retrievers/document_compressors";
import type { CompressOptionsInput } from "../compressors/index.js";
import type { CompressionResult } from "../compressors/types.js";
import { CompressionInputError } from "../errors/index.js";
import type { CtxpressClient } from "../sdk/client.js";
import { compress, type InProcessOptions } from "../sdk/in-process.js";

/** What ctxpress adds to each returned document's metadata, under `ctxpress`. */
export interface CompressedDocumentMetadata {
  readonly method: string;
  readonly originalTokens: number;
  readonly compressedTokens: number;
}

export interface CtxpressDocumentCompressorOptions {
  /**
   * How to compress: any text method and its options, as for the SDK's `compress`
   * (default `{ method: "longllmlingua" }`, which ranks the documents against the query and
   * drops or shortens the least relevant). `gist` is refused: it yields vectors, not text.
   */
  readonly compression?: CompressOptionsInput;
  /**
   * Compress through the queue with this client (workers must be running; the caller owns and
   * closes it). Default: in this process, with `inProcess`.
   */
  readonly client?: CtxpressClient;
  /** Longest wait for a queued compression (default: the client's `defaultTimeoutMs`). */
  readonly jobTimeoutMs?: number;
  /** Models, limits and signal of an in-process compression (default: the embedded models). */
  readonly inProcess?: InProcessOptions;
}

const DEFAULT_COMPRESSION: CompressOptionsInput = { method: "longllmlingua" };

/**
 * A LangChain.js document compressor (e.g. for `ContextualCompressionRetriever`): compresses
 * the retrieved documents together, against the query as the question, and returns one
 * document per kept context in ctxpress' order (most relevant first where the method
 * reorders), each with its original metadata and id plus {@link CompressedDocumentMetadata}.
 * Documents the method drops entirely are left out.
 *
 * @throws CompressionInputError from the constructor for `gist`, and from `compressDocuments`
 *   for options or documents ctxpress rejects (before anything is queued).
 * @throws JobFailedError / JobTimeoutError from `compressDocuments` through a client.
 */
export class CtxpressDocumentCompressor extends BaseDocumentCompressor {
  private readonly compression: CompressOptionsInput;

  constructor(private readonly options: CtxpressDocumentCompressorOptions = {}) {
    super();
    this.compression = options.compression ?? DEFAULT_COMPRESSION;
    if (this.compression.method === "gist") {
      throw CompressionInputError.of(
        ["method"],
        "gist compresses into summary vectors, which LangChain documents cannot carry; use a text method",
      );
    }
  }

  override async compressDocuments(
    documents: DocumentInterface[],
    query: string,
    _callbacks?: Callbacks,
  ): Promise<DocumentInterface[]> {
    if (documents.length === 0) return [];
    const input = {
      contexts: documents.map((document) => document.pageContent),
      ...(query.trim() === "" ? {} : { question: query }),
    };
    const result = await this.run(input);
    return result.contexts.flatMap((context) => {
      const source = documents[context.index];
      if (source === undefined || context.text.trim() === "") return [];
      const ctxpress: CompressedDocumentMetadata = {
        method: result.method,
        originalTokens: context.originalTokens,
        compressedTokens: context.compressedTokens,
      };
      return [
        new Document({
          pageContent: context.text,
          metadata: { ...source.metadata, ctxpress },
          ...(source.id === undefined ? {} : { id: source.id }),
        }),
      ];
    });
  }

  private async run(input: { contexts: string[]; question?: string }): Promise<CompressionResult> {
    const { client } = this.options;
    if (client === undefined) return compress(input, this.compression, this.options.inProcess);
    const job = await client.enqueueCompress(input, this.compression);
    return job.result(
      this.options.jobTimeoutMs === undefined ? {} : { timeoutMs: this.options.jobTimeoutMs },
    );
  }
}
