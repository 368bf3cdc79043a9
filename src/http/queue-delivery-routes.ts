// Consuming a queue (share group) over HTTP, as an SQS or RabbitMQ user
// would: POST /queues/{g}/receive takes up to `max` messages of a topic and
// locks them (share.record.lock.duration.ms), each with a receipt
// (queue-receipt.ts); POST /queues/{g}/ack, /release (again, after `delayMs`
// if given) or /reject (archived, and dead-lettered when the group names a
// dead-letter topic) settle messages by their receipts, all or none. A
// receipt whose lock expired, or whose message was settled, is stale (410); one
// this API's member did not give is foreign (409): nothing is settled then.
//
// Receiving goes through the HTTP API's own member of the group
// (queue-member.ts) and the share coordinator's in-process acquisition, as a
// ShareFetch would; so Kafka share consumers of the same group share the
// messages with HTTP clients, and a delivery count counts both.

import type { FastifyInstance } from 'fastify';
import { AcknowledgeType, MAX_RELEASE_DELAY_MS } from '../coordinator/share/share-partition.js';
import type { HeldRecord, SharePartitionResult } from '../coordinator/share/share-requests.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { decodeBatch, forEachBatch } from '../protocol/records.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError, kafkaError } from './errors.js';
import { QueueMember } from './queue-member.js';
import { MAX_RECEIPT_LENGTH, decodeReceipt, encodeReceipt } from './queue-receipt.js';
import { recordObject } from './record-json.js';
import { ERROR_RESPONSES, groupParam, strictObject } from './schemas.js';

/** Most messages one receive returns, and most receipts one settlement names. */
const MAX_MESSAGES = 1000;
/** Bytes of record batches one receive reads at most (the first batch always goes whole). */
const MAX_RECEIVE_BYTES = 4 * 1024 * 1024;
/** Longest a receive waits for messages (ms); the broker's fetch.max.wait.ms caps it too. */
const MAX_WAIT_MS = 30_000;

const messageSchema = {
  type: 'object',
  properties: {
    receipt: { type: 'string', description: 'settles this delivery with ack, release or reject; stale once the lock expires' },
    topic: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'integer' },
    deliveryCount: { type: 'integer', description: '1 on the first delivery, one more at each redelivery' },
    timestamp: { type: 'integer' },
    key: { type: ['string', 'null'] },
    keyEncoding: { type: 'string', enum: ['base64'] },
    value: { type: ['string', 'null'] },
    valueEncoding: { type: 'string', enum: ['base64'] },
    headers: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
  },
} as const;

const receiptsProperty = { receipts: { type: 'array', minItems: 1, maxItems: MAX_MESSAGES, items: { type: 'string', minLength: 1, maxLength: MAX_RECEIPT_LENGTH } } } as const;

interface Settlement {
  path: 'ack' | 'release' | 'reject';
  type: AcknowledgeType;
  summary: string;
  properties: Record<string, unknown>;
}

const SETTLEMENTS: Settlement[] = [
  { path: 'ack', type: AcknowledgeType.Accept, summary: 'Acknowledge received messages: done, never delivered again', properties: {} },
  {
    path: 'release',
    type: AcknowledgeType.Release,
    summary: 'Give received messages back for redelivery, after delayMs if given (archived instead at share.delivery.count.limit)',
    properties: { delayMs: { type: 'integer', minimum: 0, maximum: MAX_RELEASE_DELAY_MS, description: 'redeliver no sooner than this (ms)' } },
  },
  {
    path: 'reject',
    type: AcknowledgeType.Reject,
    summary: "Refuse received messages for good: archived, and copied to the group's errors.deadletterqueue.topic.name if it names one",
    properties: { reason: { type: 'string', maxLength: 1000, description: "written to the broker's log" } },
  },
];

export function registerQueueDeliveryRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  const members = new Map<string, QueueMember>();
  // A waiting receive ends when the API closes, which would otherwise wait for it.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  const describe = (r: HeldRecord): string => `${ctx.broker.cluster.topicById(Buffer.from(r.topicId, 'hex'))?.name ?? r.topicId}-${r.partition}@${r.offset} (delivery ${r.deliveryCount})`;
  app.addHook('onClose', async () => {
    for (const member of members.values()) member.leave();
  });

  app.post<{ Params: { group: string }; Querystring: { topic: string; max: number; waitMs: number } }>(
    '/queues/:group/receive',
    {
      schema: {
        summary: "Receive messages of a queue's topic, each locked until settled by its receipt or until the lock expires (needs --http-writes)",
        description:
          'Messages come from the partitions of topic the HTTP API\'s member of the share group is assigned; locked for lockDurationMs (share.record.lock.duration.ms), then given out again. Waits up to waitMs for the first message; an empty list when none came.',
        tags: ['queues'],
        params: groupParam,
        querystring: strictObject(
          {
            topic: { type: 'string', minLength: 1, maxLength: 249 },
            max: { type: 'integer', minimum: 1, maximum: MAX_MESSAGES, default: 10, description: 'most messages to receive' },
            waitMs: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS, default: 0, description: 'longest wait for the first message (ms)' },
          },
          ['topic'],
        ),
        response: {
          200: { type: 'object', properties: { lockDurationMs: { type: 'integer' }, messages: { type: 'array', items: messageSchema } } },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const { group } = request.params;
      const { topic, max, waitMs } = request.query;
      const metadata = ctx.broker.cluster.topic(topic);
      if (!metadata) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_TOPIC', `unknown topic '${topic}'`, 'GET /topics lists the topics');
      let member = members.get(group);
      if (!member) members.set(group, (member = new QueueMember(group, ctx.shares, ctx.shareClock, ctx.log)));
      const partitions = member.partitionsOf(topic, metadata.topicId.toString('hex'));
      // A client that hangs up stops the wait, so that nothing is locked for it after it left.
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const stop = AbortSignal.any([gone.signal, closing.signal]);
      const results = await ctx.shares.acquireFor(group, member.memberId, partitions, { maxRecords: max, maxBytes: MAX_RECEIVE_BYTES, maxWaitMs: waitMs, stop });
      const messages = results.flatMap((r) => messagesOf(topic, member.memberId, r));
      const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
      if (messages.length === 0 && failed?.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
        throw new HttpApiError(503, 'SLUICE_HTTP_NOT_LEADER', `this broker leads none of the partitions of '${topic}' its member of group '${group}' is assigned`, "receive through the HTTP API of the partitions' leader (GET /topics/{t} names the leaders)");
      }
      if (messages.length === 0 && failed) throw kafkaError(failed.errorCode, null, `receiving from topic '${topic}'`);
      return { lockDurationMs: ctx.shares.lockDurationMsOf(group), messages };
    },
  );

  for (const settlement of SETTLEMENTS) {
    app.post<{ Params: { group: string }; Body: { receipts: string[]; delayMs?: number; reason?: string } }>(
      `/queues/:group/${settlement.path}`,
      {
        schema: {
          summary: `${settlement.summary} (needs --http-writes)`,
          description: 'All or none: a stale receipt (lock expired, or settled already) answers 410 and a foreign one (not given by this API\'s member of the group) 409, and nothing is settled.',
          tags: ['queues'],
          params: groupParam,
          body: strictObject({ ...receiptsProperty, ...settlement.properties }, ['receipts']),
          response: { 200: { type: 'object', properties: { settled: { type: 'integer', description: 'messages settled' } } }, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { group } = request.params;
        const receipts = request.body.receipts.map(decodeReceipt);
        const member = members.get(group);
        member?.touch();
        const memberId = member?.memberId;
        const foreign = receipts.filter((r) => r.memberId !== memberId);
        if (foreign.length > 0) {
          throw new HttpApiError(
            409,
            'SLUICE_HTTP_FOREIGN_RECEIPT',
            `${foreign.length} of the receipts were not given by this HTTP API's member of group '${group}', such as ${describe(foreign[0])}`,
            'settle a message through the broker whose HTTP API received it; a member that left (the broker restarted, or its heartbeats stopped) gave back what it held, so receive again',
          );
        }
        const settled = await ctx.shares.settleHeld(group, memberId!, receipts, settlement.type, request.body.delayMs ?? 0);
        if (settled.stale.length > 0) {
          throw new HttpApiError(
            410,
            'SLUICE_HTTP_STALE_RECEIPT',
            `${settled.stale.length} of the messages are no longer held from the delivery their receipt names, such as ${describe(settled.stale[0])}; nothing was settled`,
            'the lock expired (share.record.lock.duration.ms) or the message was settled already; receive it again for a new receipt',
          );
        }
        if (settled.errorCode !== ErrorCode.NONE) throw kafkaError(settled.errorCode, null, `settling messages of group '${group}'`);
        if (settlement.type === AcknowledgeType.Reject) {
          request.log.info({ group, reason: request.body.reason ?? null, records: receipts.map(describe) }, 'messages rejected over HTTP');
        }
        return { settled: new Set(receipts.map(describe)).size };
      },
    );
  }
}

/** The records of one partition's acquisition, as messages with receipts. */
function messagesOf(topic: string, memberId: string, result: SharePartitionResult) {
  const messages: ({ receipt: string; topic: string; deliveryCount: number } & ReturnType<typeof recordObject>)[] = [];
  forEachBatch(result.records, (pos) => {
    for (const record of decodeBatch(result.records, pos).records) {
      // Batches go whole; only the offsets acquired are this member's.
      const range = result.acquired.find((a) => a.firstOffset <= record.offset && record.offset <= a.lastOffset);
      if (!range) continue;
      const receipt = encodeReceipt({ topicId: result.topicId, partition: result.partition, offset: record.offset, deliveryCount: range.deliveryCount, memberId });
      messages.push({ receipt, topic, deliveryCount: range.deliveryCount, ...recordObject(result.partition, record) });
    }
  });
  return messages;
}

