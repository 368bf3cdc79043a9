// GET /topics/{t}/ws: a topic's records over a WebSocket, paced by the client.
//
// The client grants credit, `{ "credit": n }` (added to what is left; the
// query's `credit` is the first grant), and each record sent uses one: the
// server never has more records outstanding than granted, and reads the log
// only when it has credit, so a slow client holds nothing in memory. A live
// tail grants a large credit once. Each record is one text message, the
// record as GET /topics/{t}/records shows it (record-json.ts).
//
// With `?group=g` the socket consumes for consumer group g as a standalone
// consumer (as a Kafka client's assign() with commits): it starts where g has
// committed (else per `from`), and `{ "commit": { "partition": p, "offset": o } }`
// acknowledges every record of p up to offset o: the server commits o + 1
// (Kafka's next offset to read), so a Kafka consumer of g later goes on from
// there, and answers `{ "committed": { "partition", "offset" } }`. Such a commit,
// generation -1, is accepted while g has no members, as Kafka accepts it;
// group mode is a write and needs --http-writes. A message the server cannot
// take is answered `{ "error": { code, message } }` and the socket stays open.

import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { commitStandalone, isGroupActiveError } from '../coordinator/group/offset-reset.js';
import { ErrorCode, errorName } from '../protocol/error-codes.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { TAIL_START_QUERY, type TailStart, startPositions, tailRecords } from './partition-tail.js';
import { recordJson } from './record-json.js';
import { strictObject, topicParam } from './schemas.js';

/** Largest message a client may send (bytes): credit and commit messages are tiny. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;
/** Bytes queued on the socket past which the server waits for them to leave before sending more. */
const SEND_HIGH_WATER_BYTES = 1024 * 1024;
/** Credit a client may hold at most; a live tail asks for this. */
const MAX_CREDIT = Number.MAX_SAFE_INTEGER;

interface SocketQuery extends TailStart {
  group?: string;
  credit: number;
}

type ClientMessage = { credit: number } | { commit: { partition: number; offset: number } };

function isCount(n: unknown, min: number): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= min;
}

function parseClientMessage(data: string): ClientMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  if ('credit' in m && isCount(m.credit, 1)) return { credit: m.credit };
  if ('commit' in m && typeof m.commit === 'object' && m.commit !== null) {
    const c = m.commit as { partition?: unknown; offset?: unknown };
    if (isCount(c.partition, 0) && isCount(c.offset, 0)) return { commit: { partition: c.partition, offset: c.offset } };
  }
  return null;
}

/** Where a socket starts: the query's positions, with a group's committed offsets in place of `from` where it has them. */
async function socketStart(ctx: HttpApiContext, topic: string, query: SocketQuery): Promise<Map<number, number>> {
  const next = await startPositions(ctx, topic, query);
  if (query.group === undefined || query.offset !== undefined || query.time !== undefined) return next;
  for (const o of ctx.groups.fetchOffsets(query.group, [{ topic, partitions: [...next.keys()] }])) {
    const p = ctx.broker.partition(topic, o.partition);
    if (o.offset >= 0 && p) next.set(o.partition, Math.min(Math.max(o.offset, p.logStartOffset), p.highWatermark));
  }
  return next;
}

export async function registerTopicSocketRoutes(app: FastifyInstance, ctx: HttpApiContext): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  /** Start positions, found before the upgrade so that a bad request is answered with an HTTP error. */
  const starts = new WeakMap<FastifyRequest, Map<number, number>>();

  const serveSocket = (socket: WebSocket, request: FastifyRequest<{ Params: { topic: string }; Querystring: SocketQuery }>) => {
    const { topic } = request.params;
    const { group } = request.query;
    const next = starts.get(request)!;
    const gone = new AbortController();
    const signal = AbortSignal.any([gone.signal, closing.signal]);
    let credit = Math.min(request.query.credit, MAX_CREDIT);
    let granted = () => {};
    const refuse = (code: string, message: string) => socket.send(JSON.stringify({ error: { code, message } }));

    const commit = async (partition: number, offset: number) => {
      const target = offset + 1;
      const [errorCode] = await commitStandalone(ctx.groups, group!, [{ topic, partition, target }]);
      if (errorCode === ErrorCode.NONE) socket.send(JSON.stringify({ committed: { partition, offset: target } }));
      else refuse(isGroupActiveError(errorCode) ? 'SLUICE_HTTP_GROUP_ACTIVE' : 'SLUICE_HTTP_KAFKA_ERROR', `commit of ${topic}-${partition} at ${target} for group '${group}' refused: ${errorName(errorCode)}`);
    };

    socket.on('message', (data, isBinary) => {
      const m = isBinary ? null : parseClientMessage(data.toString());
      if (m === null) return refuse('SLUICE_HTTP_BAD_REQUEST', 'expected { "credit": n } with n >= 1, or { "commit": { "partition": p, "offset": o } }');
      if ('credit' in m) {
        credit = Math.min(credit + m.credit, MAX_CREDIT);
        granted();
      } else if (group === undefined) refuse('SLUICE_HTTP_BAD_REQUEST', 'commits need a group: open the socket with ?group=<id>');
      else if (!next.has(m.commit.partition)) refuse('SLUICE_HTTP_UNKNOWN_PARTITION', `this socket does not read partition ${m.commit.partition}`);
      else commit(m.commit.partition, m.commit.offset).catch((err) => request.log.error({ err, topic, group }, 'WebSocket commit failed'));
    });
    socket.on('close', () => gone.abort());

    const awaitCredit = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        granted = done;
        signal.addEventListener('abort', done);
      });
    const records = tailRecords(ctx, topic, next, signal);
    void (async () => {
      try {
        for (;;) {
          while (credit === 0 && !signal.aborted) await awaitCredit();
          if (signal.aborted) break;
          // Pulled one at a time: the log is read only as far as credit allows.
          const { value: item, done } = await records.next();
          if (done) break;
          credit--;
          const message = recordJson(item.partition, item.record);
          // Past the high-water mark, wait for this message to reach the socket before reading on.
          if (socket.bufferedAmount < SEND_HIGH_WATER_BYTES) socket.send(message);
          else await new Promise<void>((resolve) => socket.send(message, () => resolve()));
        }
      } catch (err) {
        const apiError = err instanceof HttpApiError ? err : new HttpApiError(500, 'SLUICE_HTTP_INTERNAL', 'the stream failed; see the broker log');
        if (!(err instanceof HttpApiError)) request.log.error({ err, topic }, 'WebSocket stream failed');
        refuse(apiError.code, apiError.message);
      } finally {
        await records.return(undefined);
        socket.close(1000);
      }
    })();
  };

  app.route<{ Params: { topic: string }; Querystring: SocketQuery }>({
    method: 'GET',
    url: '/topics/:topic/ws',
    schema: {
      summary: "Consume a topic's records over a WebSocket with a credit window",
      description:
        'Send { "credit": n } to receive n more records (each a text message, the record as in GET /topics/{t}/records); the server never sends more than granted. With group=g (needs --http-writes) the socket starts at g\'s committed offsets and { "commit": { "partition", "offset" } } commits offset + 1 for g (accepted while g has no members), answered { "committed": { "partition", "offset" } }. Refused messages are answered { "error": { "code", "message" } }.',
      tags: ['records'],
      // Not a path of the OpenAPI document, which cannot describe a WebSocket; its info names it.
      hide: true,
      params: topicParam,
      querystring: strictObject({
        ...TAIL_START_QUERY,
        group: { type: 'string', minLength: 1, description: 'consume for this consumer group: start at its commits, accept commit messages' },
        credit: { type: 'integer', minimum: 0, default: 0, description: 'the first grant of credit' },
      }),
    },
    preValidation: async (request) => {
      if (request.query.group !== undefined && !ctx.config.httpWrites) {
        throw new HttpApiError(403, 'SLUICE_HTTP_READ_ONLY', 'a WebSocket with group commits offsets, and this HTTP API is read-only', 'start the broker with --http-writes true, or leave out group');
      }
      starts.set(request, await socketStart(ctx, request.params.topic, request.query));
    },
    wsHandler: serveSocket,
    // A plain GET, without the upgrade: the API's error, where the plugin would answer an empty 404.
    handler: async (_request, reply) => {
      void reply.header('upgrade', 'websocket');
      throw new HttpApiError(426, 'SLUICE_HTTP_UPGRADE_REQUIRED', 'this route is a WebSocket: the request asked for no upgrade', 'open it with a WebSocket client (Upgrade: websocket), or read the same records as Server-Sent Events from GET /topics/{t}/stream');
    },
  });
}
