import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";
import { type RedisTls, redisOptionsFromUrl } from "../../queues/connection.js";
import { ANSWER_QUEUE, COMPRESS_QUEUE, INDEX_QUEUE } from "../../queues/names.js";

/** Where the BullMQ dashboard is served. */
export const DASHBOARD_PATH = "/admin/queues";

/**
 * bull-board over the compress, answer and index queues (queue mode), behind the server's API
 * keys like every other route. Returns a function that closes its queue connections.
 */
export async function registerDashboard(
  app: FastifyInstance,
  redisUrl: string,
  prefix: string,
  tls?: RedisTls,
): Promise<() => Promise<void>> {
  const queues = [COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE].map(
    (name) => new Queue(name, { connection: redisOptionsFromUrl(redisUrl, tls), prefix }),
  );
  const adapter = new FastifyAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "ctxpress" } },
  });
  await app.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  return async () => {
    await Promise.all(queues.map((queue) => queue.close()));
  };
}
