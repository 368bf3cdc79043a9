// Queues (share groups) over HTTP: what operators watch of each, per group and
// partition (ShareCoordinator.figures(), coordinator/share/share-figures.ts):
// ready, delayed and in-flight records, the age of the oldest ready one, and
// counters since the broker started. Writes: sending messages to a queue's
// topic (the records route's body and produce path), and redriving its dead
// letters with the same function and cursor as `sluice queue redrive`
// (client/share/dead-letter-redrive.ts), through a Kafka client of this broker
// acting as the request's principal (kafka-login.ts).

import { AclResourceType } from '../broker/acl/acl-binding.js';
import { mayDescribe } from './route-acls.js';
import type { FastifyInstance } from 'fastify';
import { KafkaError } from '../client/client-error.js';
import { redriveDeadLetters } from '../client/share/dead-letter-redrive.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError, kafkaError } from './errors.js';
import { kafkaClientAs } from './kafka-login.js';
import type { RecordAppender } from './record-append.js';
import { PRODUCE_BODY, PRODUCE_QUERY_PROPERTIES, PRODUCE_RESPONSES, type ProduceBody, type ProduceQuery, produce } from './record-routes.js';
import { ERROR_RESPONSES, groupParam, strictObject } from './schemas.js';

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

export function registerQueueRoutes(app: FastifyInstance, ctx: HttpApiContext, appender: RecordAppender): void {
  app.get(
    '/queues',
    {
      schema: {
        summary: 'Every share group with its figures per partition and totals',
        tags: ['queues'],
        response: { 200: { type: 'object', properties: { queues: { type: 'array', items: queueSchema } } }, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ queues: ctx.shares.figures().filter((q) => mayDescribe(ctx.authorizer, request, AclResourceType.GROUP, q.groupId)) }),
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

  app.post<{ Params: { group: string }; Querystring: ProduceQuery & { topic: string }; Body: ProduceBody }>(
    '/queues/:group/messages',
    {
      schema: {
        summary: "Send messages to a queue's topic (needs --http-writes)",
        description: 'The body is as for POST /topics/{t}/records; the queue (share group) reads them from topic. A sluice-deliver-at header (ms) holds a message back until then.',
        tags: ['queues'],
        params: groupParam,
        querystring: strictObject({ topic: { type: 'string', minLength: 1, maxLength: 249 }, ...PRODUCE_QUERY_PROPERTIES }, ['topic']),
        body: PRODUCE_BODY,
        response: PRODUCE_RESPONSES,
      },
    },
    async (request, reply) => produce(appender, request.query.topic, request.body, request.query, reply),
  );

  app.post<{ Params: { group: string }; Body: { limit?: number } | undefined }>(
    '/queues/:group/redrive',
    {
      schema: {
        summary: "Send a queue's dead letters back to where they came from (needs --http-writes)",
        description:
          "Dead letters of the group's errors.deadletterqueue.topic.name go back to their original topic and partition, without the _dlq.errors.* headers, at most limit of them; a cursor (group sluice.redrive.<group>) remembers how far, shared with sluice queue redrive.",
        tags: ['queues'],
        params: groupParam,
        body: strictObject({ limit: { type: 'integer', minimum: 1 } }),
        response: {
          200: { type: 'object', properties: { moved: { type: 'integer', description: 'dead letters sent back' }, deadLetterTopic: { type: 'string', description: "'' when the group names none" } } },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const client = kafkaClientAs(ctx, request, 'sluice-http-redrive');
      try {
        const result = await redriveDeadLetters(client, request.params.group, () => {}, request.body?.limit ?? Infinity);
        return { moved: result.redriven, deadLetterTopic: result.deadLetterTopic };
      } catch (err) {
        throw err instanceof KafkaError ? kafkaError(err.errorCode, err.message, `redriving the dead letters of ${request.params.group}`) : err;
      } finally {
        await client.close();
      }
    },
  );
}
