import { FlowProducer, type Job, Queue, QueueEvents } from "bullmq";
import { z } from "zod";
import {
  createRedisClient,
  prefixSchema,
  type RedisClient,
  redisTlsSchema,
  redisUrlSchema,
  refineClusterPrefix,
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
  answerJobDataSchema,
  type CompressJobData,
  compressJobResultSchema,
  type GenerationOptionsInput,
  generationOptionsSchema,
} from "../../queues/schemas.js";
import type { CompressOptionsInput, CompressRequestInput } from "../compressors/index.js";
import { validateIndexDocument } from "../compressors/landmark/index-input.js";
import type { CompressionResult } from "../compressors/types.js";
import { JobFailedError, JobNotFoundError } from "../errors/index.js";
import { parseRequestPart } from "../pipeline/validate.js";
import { documentRef } from "../store/documents.js";
import { storeKeys } from "../store/keys.js";
import type { AnswerResult } from "../store/records.js";
import { connectProducer, type ProducerRedis } from "../store/redis-connection.js";
import { createStore, type Store } from "../store/store.js";
import { type EnqueueOutcome, enqueueOnce } from "./enqueue-once.js";
import { prepareCompressJob } from "./job-data.js";
import { type JobUpdate, type ProgressSource, waitForJob, watchProgress } from "./job-watch.js";

export const clientOptionsSchema = z
  .strictObject({
    /** redis://, rediss:// (TLS) or redis+cluster://host:port,… (see queues/redis-url.ts). */
    redisUrl: redisUrlSchema.default(DEFAULT_REDIS_URL),
    /** CA, client certificate and server name for TLS (see queues/connection.ts). */
    redisTls: redisTlsSchema.optional(),
    /** Key prefix; a cluster needs a hash tag such as `{ctxpress}`. */
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
  })
  .superRefine(refineClusterPrefix);
export type ClientOptions = z.input<typeof clientOptionsSchema>;

/** A job the client enqueued (or found already enqueued): follow it, then read its result. */
export interface JobHandle<Result> {
  readonly id: string;
  readonly queue: QueueName;
  /** An identical request was already queued or done, so no new job was created. */
  readonly deduplicated: boolean;
  /** An identical request had failed for good; its job was replaced and runs again. */
  readonly rerun: boolean;
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
 * progress and reads their results. Requests are checked as workers will check them before
 * anything is stored; documents go to the store first; jobs carry their hashes and the models
 * fingerprint the workers announce (see `ModelsRegistry`), so a model change computes anew.
 *
 * Redis failures: `connect` fails fast (`RedisConnectionError`, `RedisAuthError`); afterwards a
 * command issued while Redis is away waits for it (about 16 s of reconnection attempts, each at
 * most 1 s apart) and only then rejects with a `RedisConnectionError`; the client stays usable
 * and recovers within a second of Redis returning. Messages never contain the password.
 */
export class CtxpressClient {
  private readonly events = new Map<QueueName, Promise<QueueEvents>>();
  private readonly eventClients: RedisClient[] = [];

  private constructor(
    private readonly options: z.output<typeof clientOptionsSchema>,
    private readonly redis: ProducerRedis,
    private readonly store: Store,
    private readonly queues: Record<QueueName, Queue>,
    private readonly flows: FlowProducer,
  ) {}

  /**
   * Connects to Redis. Rejects with `CompressionInputError` on bad options, `RedisAuthError` when
   * Redis refuses the credentials, `RedisConnectionError` when it does not answer (after about
   * 0.3 s), or an Error when a TLS file cannot be read.
   */
  static async connect(options: ClientOptions = {}): Promise<CtxpressClient> {
    const settings = parseRequestPart(clientOptionsSchema, options, "client");
    const redis = await connectProducer(settings.redisUrl, settings.redisTls);
    const connection = redis.client;
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
    // Outages reach callers as the failing call's RedisConnectionError; BullMQ would otherwise
    // print each connection error it re-emits without a listener.
    for (const queue of Object.values(queues)) queue.on("error", ignoreError);
    flows.on("error", ignoreError);
    try {
      await Promise.all([...Object.values(queues), flows].map((each) => each.waitUntilReady()));
    } catch (error) {
      await redis.close();
      throw redis.failure(error);
    }
    return new CtxpressClient(
      settings,
      redis,
      createStore(connection, settings.prefix, settings.retention),
      queues,
      flows,
    );
  }

  /**
   * Checks the request as a worker will (throwing `CompressionInputError` naming the field before
   * anything is stored), stores its documents, then enqueues it once: an identical request
   * already queued, running or done is joined (`deduplicated`), one that failed for good runs
   * again (`rerun`). Rejects with `RedisConnectionError` when Redis stays away.
   */
  enqueueCompress(
    input: CompressRequestInput,
    options: CompressOptionsInput,
  ): Promise<JobHandle<CompressionResult>> {
    return this.guard(async () => {
      const data = await this.prepare(input, options);
      const id = compressJobId(requestKey(data));
      const outcome = await this.enqueueOnce(COMPRESS_QUEUE, id, () =>
        this.queues.compress.add(COMPRESS_JOB, data, { jobId: id }),
      );
      return this.handle(COMPRESS_QUEUE, id, outcome);
    });
  }

  /**
   * A flow: an answer job waiting on its compress child, both run by workers; checked, stored and
   * deduplicated like `enqueueCompress`.
   */
  enqueueAnswer(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    generation: GenerationOptionsInput = {},
  ): Promise<JobHandle<AnswerResult>> {
    return this.guard(async () => {
      const settings = parseRequestPart(generationOptionsSchema, generation, "generation");
      const data = await this.prepare(input, options);
      const id = answerJobId(requestKey(data), settings);
      const answerData: AnswerJobData = parseRequestPart(
        answerJobDataSchema,
        {
          version: 1,
          generation: settings,
          ...(data.models !== undefined ? { models: data.models } : {}),
        },
        "generation",
      );
      const outcome = await this.enqueueOnce(ANSWER_QUEUE, id, () =>
        this.addAnswerFlow(id, answerData, data),
      );
      return this.handle(ANSWER_QUEUE, id, outcome);
    });
  }

  private addAnswerFlow(id: string, answerData: AnswerJobData, data: CompressJobData) {
    const childId = answerChildJobId(id);
    const jobOptions = defaultJobOptions(this.options.retention);
    return this.flows.add({
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
  }

  private enqueueOnce(queue: QueueName, id: string, add: () => Promise<unknown>) {
    return enqueueOnce(
      this.queues[queue],
      this.redis.client,
      storeKeys(this.options.prefix).enqueueLock(id),
      id,
      add,
    );
  }

  /** Runs `operation`, reporting a Redis outage or refused credentials as such. */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.redis.failure(error);
    }
  }

  /**
   * Builds the landmark index of a document on a worker (with the worker's embedder), so later
   * landmark questions on it only embed the question. An index job already queued or running
   * for the same document and block size is joined instead of queued again; a document indexed
   * before completes at once. An empty document is a `CompressionInputError`.
   */
  enqueueIndex(
    document: string,
    options: Omit<IndexJobDataInput, "version" | "document"> = {},
  ): Promise<JobHandle<IndexJobResult>> {
    return this.guard(() => this.addIndexJob(document, options));
  }

  private async addIndexJob(
    document: string,
    options: Omit<IndexJobDataInput, "version" | "document">,
  ): Promise<JobHandle<IndexJobResult>> {
    validateIndexDocument(document, this.limits());
    const bytes = Buffer.from(document, "utf8");
    const data = parseRequestPart(
      indexJobDataSchema,
      { ...options, version: 1, document: documentRef(bytes) },
      "index",
    );
    await this.store.documents.putBytes(bytes);
    const deduplicationId = indexDeduplicationId(data);
    const running = await this.queues.index.getDeduplicationJobId(deduplicationId);
    const job = await this.queues.index.add(INDEX_JOB, data, {
      deduplication: { id: deduplicationId },
    });
    return this.handle(INDEX_QUEUE, String(running ?? job.id), {
      deduplicated: running !== null,
      rerun: false,
    });
  }

  /** A handle on a job enqueued earlier (by this or another process). */
  async job(id: string): Promise<JobHandle<CompressionResult | AnswerResult | IndexJobResult>> {
    const status = await this.status(id);
    return this.handle(status.queue, id, { deduplicated: true, rerun: false });
  }

  /** State, progress, attempts and failure reason of a job, looked up in every queue. */
  status(id: string): Promise<JobStatus> {
    return this.guard(() => this.findStatus(id));
  }

  private async findStatus(id: string): Promise<JobStatus> {
    for (const queue of [COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE] as const) {
      // The state before the job, as in waitForJob: a job read first may complete before its
      // state is read, and would show as completed without its return value.
      const state = await this.queues[queue].getJobState(id);
      const job = state === "unknown" ? undefined : await this.queues[queue].getJob(id);
      if (!job) continue;
      return {
        id,
        queue,
        state,
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
  counts(): Promise<Record<QueueName, Record<string, number>>> {
    return this.guard(() => this.countJobs());
  }

  private async countJobs(): Promise<Record<QueueName, Record<string, number>>> {
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
    await Promise.all(this.eventClients.map((client) => client.quit().catch(() => {})));
    await this.redis.close();
  }

  /**
   * The job data, checked as workers check it before any document is stored (the models
   * fingerprint is only read, never written), then the documents.
   */
  private async prepare(
    input: CompressRequestInput,
    options: CompressOptionsInput,
  ): Promise<CompressJobData> {
    const models = await this.store.models.current();
    const { data, documents } = prepareCompressJob(input, options, this.limits(), models);
    for (const bytes of documents) await this.store.documents.putBytes(bytes);
    return data;
  }

  private limits(): { maxDocumentChars?: number } {
    const { maxDocumentChars } = this.options;
    return maxDocumentChars === undefined ? {} : { maxDocumentChars };
  }

  private queueEvents(queue: QueueName): Promise<QueueEvents> {
    let events = this.events.get(queue);
    if (!events) {
      const client = createRedisClient(this.options.redisUrl, this.options.redisTls, "blocking");
      this.eventClients.push(client);
      const created = new QueueEvents(queue, { connection: client, prefix: this.options.prefix });
      created.on("error", ignoreError);
      events = created.waitUntilReady().then(() => created);
      this.events.set(queue, events);
    }
    return events;
  }

  private handle<Result>(
    queue: QueueName,
    id: string,
    { deduplicated, rerun }: EnqueueOutcome,
  ): JobHandle<Result> {
    // An answer job's progress starts in its compress child, in the other queue.
    const steps: ReadonlyArray<{ queue: QueueName; jobId: string }> =
      queue === ANSWER_QUEUE
        ? [
            { queue: COMPRESS_QUEUE, jobId: answerChildJobId(id) },
            { queue: ANSWER_QUEUE, jobId: id },
          ]
        : [{ queue, jobId: id }];
    const finished = (timeoutMs: number) =>
      this.guard(async () => {
        const events = await this.queueEvents(queue);
        try {
          return await waitForJob(this.queues[queue], events, id, timeoutMs);
        } catch (error) {
          throw queue === ANSWER_QUEUE ? await this.withChildReason(id, error) : error;
        }
      });
    return {
      id,
      queue,
      deduplicated,
      rerun,
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
      result: async ({ timeoutMs = this.options.defaultTimeoutMs } = {}) => {
        const returnValue = await finished(timeoutMs);
        return (await this.guard(() => this.readResult(queue, id, returnValue))) as Result;
      },
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

/** For error events whose error also reaches a caller (or is retried) elsewhere. */
function ignoreError(): void {}
