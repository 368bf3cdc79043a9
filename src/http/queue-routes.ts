// Queues (share groups) over HTTP: what operators watch of each, per group and
// partition (ShareCoordinator.figures(), coordinator/share/share-figures.ts):
// ready, delayed and in-flight records, the age of the oldest ready one, and
// counters since the broker started.

import type { FastifyInstance } from 'fastify';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { ERROR_RESPONSES, groupParam } from './schemas.js';

const nullableInteger = { type: ['integer', 'null'] } as const;

const figureProperties = {
  ready: { type: 'integer', description: 'records a consumer could be given now (in the window, and not read yet up to the high watermark)' },
  delayed: { type: 'integer', description: 'records available only from a later time (delivery time, release delay)' },
  inFlight: { type: 'integer', description: 'records acquired by consumers and not yet acknowledged' },
  oldestReadyAgeMs: { ...nullableInteger, description: 'age of the oldest ready record; null when none is ready' },
  acknowledged: { type: 'integer', description: 'since the broker started' },
  archived: { type: 'integer', description: 'rejected, or at the delivery-count limit, since the broker started' },
  deadLettered: { type: 'integer', description: 'copied to the dead-letter topic since the broker started' },
  redeliveries: { type: 'integer', description: 'deliveries of records delivered before, since the broker started' },
  filtered: { type: 'integer', description: "records share.filter did not pass, since the broker started" },
} as const;

const queueSchema = {
  type: 'object',
  properties: {
    groupId: { type: 'string' },
    totals: { type: 'object', properties: figureProperties },
    partitions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { topic: { type: 'string' }, partition: { type: 'integer' }, startOffset: { type: 'integer' }, endOffset: { type: 'integer' }, ...figureProperties },
      },
    },
  },
} as const;

export function registerQueueRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  app.get(
    '/queues',
    {
      schema: {
        summary: 'Every share group with its figures per partition and totals',
        tags: ['queues'],
        response: { 200: { type: 'object', properties: { queues: { type: 'array', items: queueSchema } } }, ...ERROR_RESPONSES },
      },
    },
    async () => ({ queues: ctx.shares.figures() }),
  );

  app.get<{ Params: { group: string } }>(
    '/queues/:group',
    {
      schema: {
        summary: "One share group's figures per partition and totals",
        tags: ['queues'],
        params: groupParam,
        response: { 200: queueSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const [queue] = ctx.shares.figures(request.params.group);
      if (!queue) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_QUEUE', `no share group '${request.params.group}'`, 'GET /queues lists the share groups');
      return queue;
    },
  );
}
