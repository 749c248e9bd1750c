import { FlowProducer, type Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import {
  prefixSchema,
  producerConnection,
  redisUrlSchema,
  workerConnection,
} from "../../queues/connection.js";
import {
  type IndexJobDataInput,
  type IndexJobResult,
  indexDeduplicationId,
  indexJobDataSchema,
  indexJobResultSchema,
} from "../../queues/index-jobs.js";
import { answerChildJobId, answerJobId, compressJobId, requestKey } from "../../queues/job-ids.js";
import { defaultJobOptions, EVENTS_STREAM_MAX_LEN } from "../../queues/job-options.js";
import {
  ANSWER_JOB,
  ANSWER_QUEUE,
  COMPRESS_JOB,
  COMPRESS_QUEUE,
  DEFAULT_PREFIX,
  DEFAULT_REDIS_URL,
  INDEX_JOB,
  INDEX_QUEUE,
  type QueueName,
} from "../../queues/names.js";
import { defaultRetention, retentionSchema } from "../../queues/retention.js";
import {
  type AnswerJobData,
  type CompressJobData,
  compressJobResultSchema,
  type GenerationOptionsInput,
  generationOptionsSchema,
} from "../../queues/schemas.js";
import {
  type CompressOptionsInput,
  type CompressRequestInput,
  validateCompressRequest,
} from "../compressors/index.js";
import { validateIndexDocument } from "../compressors/landmark/index-input.js";
import type { CompressionResult } from "../compressors/types.js";
import { JobFailedError, JobNotFoundError } from "../errors/index.js";
import { RedisConnectionError } from "../errors/redis-connection-error.js";
import type { AnswerResult } from "../store/records.js";
import { createStore, type Store } from "../store/store.js";
import { type JobUpdate, type ProgressSource, waitForJob, watchProgress } from "./job-watch.js";
import { parseRequestPart } from "./validate.js";

export const clientOptionsSchema = z.strictObject({
  redisUrl: redisUrlSchema.default(DEFAULT_REDIS_URL),
  prefix: prefixSchema.default(DEFAULT_PREFIX),
  retention: retentionSchema.default(defaultRetention),
  /** Largest context, instruction or question, in UTF-16 code units; checked before enqueue. */
  maxDocumentChars: z.number().int().positive().optional(),
  /** How long `result()` waits when the caller gives no timeout. */
  defaultTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
});
export type ClientOptions = z.input<typeof clientOptionsSchema>;

/** A job the client enqueued (or found already enqueued): follow it, then read its result. */
export interface JobHandle<Result> {
  readonly id: string;
  readonly queue: QueueName;
  /** An identical request was already queued or done, so no new job was created. */
  readonly deduplicated: boolean;
  /** Stage updates until the job (for an answer: the whole flow) finishes. */
  progress(): AsyncGenerator<JobUpdate>;
  /** Waits for the job, then reads its full result from the store. */
  result(options?: { timeoutMs?: number }): Promise<Result>;
}

export type JobState = Awaited<ReturnType<Job["getState"]>>;

export interface JobStatus {
  readonly id: string;
  readonly queue: QueueName;
  readonly state: JobState;
  readonly progress: unknown;
  readonly attemptsMade: number;
  readonly failedReason: string | null;
  readonly returnValue: unknown;
  readonly createdAt: number;
  readonly finishedAt: number | null;
}

/**
 * Enqueues compressions and compress-then-answer flows for ctxpress workers, follows their
 * progress and reads their results. Documents go to the store first; jobs carry their hashes.
 */
export class CtxpressClient {
  private readonly events = new Map<QueueName, Promise<QueueEvents>>();

  private constructor(
    private readonly options: z.output<typeof clientOptionsSchema>,
    private readonly redis: Redis,
    private readonly store: Store,
    private readonly queues: Record<QueueName, Queue>,
    private readonly flows: FlowProducer,
  ) {}

  /** Connects to Redis; rejects quickly (no offline queueing) when Redis does not answer. */
  static async connect(options: ClientOptions = {}): Promise<CtxpressClient> {
    const settings = parseRequestPart(clientOptionsSchema, options, "client");
    const connection = producerConnection(settings.redisUrl);
    const redis = new Redis({ ...connection, lazyConnect: true });
    // ioredis reports connection errors as events (and reconnects); the last one says why.
    let lastError: Error | undefined;
    redis.on("error", (error: Error) => {
      lastError = error;
    });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect(); // or ioredis keeps reconnecting, and the process never exits
      const reason = (lastError ?? (error as Error)).message;
      throw new RedisConnectionError(`cannot connect to Redis at ${settings.redisUrl}: ${reason}`);
    }
    const queueOptions = {
      connection,
      prefix: settings.prefix,
      defaultJobOptions: defaultJobOptions(settings.retention),
      streams: { events: { maxLen: EVENTS_STREAM_MAX_LEN } },
    };
    const queues = {
      [COMPRESS_QUEUE]: new Queue(COMPRESS_QUEUE, queueOptions),
      [ANSWER_QUEUE]: new Queue(ANSWER_QUEUE, queueOptions),
      [INDEX_QUEUE]: new Queue(INDEX_QUEUE, queueOptions),
    };
    const flows = new FlowProducer({ connection, prefix: settings.prefix });
    await Promise.all([...Object.values(queues), flows].map((each) => each.waitUntilReady()));
    return new CtxpressClient(
      settings,
      redis,
      createStore(redis, settings.prefix, settings.retention),
      queues,
      flows,
    );
  }

  /** Validates (throwing `CompressionInputError` before anything is stored), then enqueues. */
  async enqueueCompress(
    input: CompressRequestInput,
    options: CompressOptionsInput,
  ): Promise<JobHandle<CompressionResult>> {
    const data = await this.prepare(input, options);
    const id = compressJobId(requestKey(data));
    const deduplicated = (await this.queues.compress.getJob(id)) !== undefined;
    await this.queues.compress.add(COMPRESS_JOB, data, { jobId: id });
    return this.handle(COMPRESS_QUEUE, id, deduplicated);
  }

  /** A flow: an answer job waiting on its compress child, both run by workers. */
  async enqueueAnswer(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    generation: GenerationOptionsInput = {},
  ): Promise<JobHandle<AnswerResult>> {
    const settings = parseRequestPart(generationOptionsSchema, generation, "generation");
    const data = await this.prepare(input, options);
    const id = answerJobId(requestKey(data), settings);
    const childId = answerChildJobId(id);
    const deduplicated = (await this.queues.answer.getJob(id)) !== undefined;
    const jobOptions = defaultJobOptions(this.options.retention);
    const answerData: AnswerJobData = { version: 1, generation: settings };
    await this.flows.add({
      name: ANSWER_JOB,
      queueName: ANSWER_QUEUE,
      data: answerData,
      opts: { ...jobOptions, jobId: id },
      children: [
        {
          name: COMPRESS_JOB,
          queueName: COMPRESS_QUEUE,
          data,
          // Without this a child that fails for good would leave its parent waiting forever.
          opts: { ...jobOptions, jobId: childId, failParentOnFailure: true },
        },
      ],
    });
    return this.handle(ANSWER_QUEUE, id, deduplicated);
  }

  /**
   * Builds the landmark index of a document on a worker (with the worker's embedder), so later
   * landmark questions on it only embed the question. An index job already queued or running
   * for the same document and block size is joined instead of queued again; a document indexed
   * before completes at once. An empty document is a `CompressionInputError`.
   */
  async enqueueIndex(
    document: string,
    options: Omit<IndexJobDataInput, "version" | "document"> = {},
  ): Promise<JobHandle<IndexJobResult>> {
    validateIndexDocument(document, this.limits());
    const data = parseRequestPart(
      indexJobDataSchema,
      { ...options, version: 1, document: await this.store.documents.put(document) },
      "index",
    );
    const deduplicationId = indexDeduplicationId(data);
    const running = await this.queues.index.getDeduplicationJobId(deduplicationId);
    const job = await this.queues.index.add(INDEX_JOB, data, {
      deduplication: { id: deduplicationId },
    });
    return this.handle(INDEX_QUEUE, String(running ?? job.id), running !== null);
  }

  /** A handle on a job enqueued earlier (by this or another process). */
  async job(id: string): Promise<JobHandle<CompressionResult | AnswerResult | IndexJobResult>> {
    const status = await this.status(id);
    return this.handle(status.queue, id, true);
  }

  /** State, progress, attempts and failure reason of a job, looked up in both queues. */
  async status(id: string): Promise<JobStatus> {
    for (const queue of [COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE] as const) {
      const job = await this.queues[queue].getJob(id);
      if (!job) continue;
      return {
        id,
        queue,
        state: await job.getState(),
        progress: job.progress,
        attemptsMade: job.attemptsMade,
        failedReason: job.failedReason || null,
        returnValue: job.returnvalue ?? null,
        createdAt: job.timestamp,
        finishedAt: job.finishedOn ?? null,
      };
    }
    throw new JobNotFoundError(id);
  }

  /** Job counts per state, per queue. */
  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const [compress, answer, index] = await Promise.all(
      [COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE].map((queue) =>
        this.queues[queue as QueueName].getJobCounts(
          "waiting",
          "active",
          "delayed",
          "waiting-children",
          "completed",
          "failed",
        ),
      ),
    );
    return { compress: compress ?? {}, answer: answer ?? {}, index: index ?? {} };
  }

  async close(): Promise<void> {
    const events = await Promise.all(this.events.values());
    await Promise.all([
      ...events.map((each) => each.close()),
      ...Object.values(this.queues).map((queue) => queue.close()),
      this.flows.close(),
    ]);
    await this.redis.quit();
  }

  private async prepare(
    input: CompressRequestInput,
    options: CompressOptionsInput,
  ): Promise<CompressJobData> {
    const request = validateCompressRequest(input, options, this.limits());
    const documents = [];
    for (const context of request.input.contexts) {
      documents.push(await this.store.documents.put(context));
    }
    return {
      version: 1,
      documents,
      ...(request.input.instruction !== undefined
        ? { instruction: request.input.instruction }
        : {}),
      ...(request.input.question !== undefined ? { question: request.input.question } : {}),
      options: request.options,
    };
  }

  private limits(): { maxDocumentChars?: number } {
    const { maxDocumentChars } = this.options;
    return maxDocumentChars === undefined ? {} : { maxDocumentChars };
  }

  private queueEvents(queue: QueueName): Promise<QueueEvents> {
    let events = this.events.get(queue);
    if (!events) {
      const created = new QueueEvents(queue, {
        connection: workerConnection(this.options.redisUrl),
        prefix: this.options.prefix,
      });
      events = created.waitUntilReady().then(() => created);
      this.events.set(queue, events);
    }
    return events;
  }

  private handle<Result>(queue: QueueName, id: string, deduplicated: boolean): JobHandle<Result> {
    // An answer job's progress starts in its compress child, in the other queue.
    const steps: ReadonlyArray<{ queue: QueueName; jobId: string }> =
      queue === ANSWER_QUEUE
        ? [
            { queue: COMPRESS_QUEUE, jobId: answerChildJobId(id) },
            { queue: ANSWER_QUEUE, jobId: id },
          ]
        : [{ queue, jobId: id }];
    const finished = async (timeoutMs: number) => {
      const events = await this.queueEvents(queue);
      try {
        return await waitForJob(this.queues[queue], events, id, timeoutMs);
      } catch (error) {
        throw queue === ANSWER_QUEUE ? await this.withChildReason(id, error) : error;
      }
    };
    return {
      id,
      queue,
      deduplicated,
      progress: async function* (this: CtxpressClient) {
        const sources: ProgressSource[] = await Promise.all(
          steps.map(async (step) => ({
            events: await this.queueEvents(step.queue),
            jobId: step.jobId,
            step: step.queue,
          })),
        );
        yield* watchProgress(sources, finished(this.options.defaultTimeoutMs));
      }.bind(this),
      result: async ({ timeoutMs = this.options.defaultTimeoutMs } = {}) =>
        this.readResult(queue, id, await finished(timeoutMs)) as Promise<Result>,
    };
  }

  /** A flow whose compress step failed reports that step's reason, not BullMQ's "child failed". */
  private async withChildReason(id: string, error: unknown): Promise<unknown> {
    if (!(error instanceof JobFailedError)) return error;
    const child = await this.queues.compress.getJob(answerChildJobId(id));
    if (!child?.failedReason) return error;
    return new JobFailedError(id, `compress step failed: ${child.failedReason}`);
  }

  private async readResult(
    queue: QueueName,
    id: string,
    returnValue: unknown,
  ): Promise<CompressionResult | AnswerResult | IndexJobResult> {
    if (queue === INDEX_QUEUE)
      return parseRequestPart(indexJobResultSchema, returnValue, "returnvalue");
    const stored =
      queue === ANSWER_QUEUE
        ? await this.store.results.getAnswer(id)
        : await this.store.results.getCompression(
            parseRequestPart(compressJobResultSchema, returnValue, "returnvalue").cacheKey,
          );
    if (stored === null) throw new JobNotFoundError(`${id} (its result has expired)`);
    return stored;
  }
}
