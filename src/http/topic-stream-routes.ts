// GET /topics/{t}/stream: a topic's records as Server-Sent Events, live.
//
// Each record is one event: `data:` the record as GET /topics/{t}/records
// shows it (record-json.ts), `id:` where the stream stands, so that a client
// reconnecting with Last-Event-ID resumes right after it:
//   one partition (?partition=n)   id: 3:41         (partition 3, offset 41 sent)
//   all partitions                 id: 0:41,1:-1,2:17
// A list names every partition of the stream with the last offset it has
// passed (next offset - 1; -1 before offset 0), so a resumed stream over all
// partitions loses nothing of the partitions that had sent nothing yet.
// A comment line goes out every heartbeatMs, so that proxies keep an idle
// stream open. The stream ends when the client goes away, the broker closes, or
// the topic is deleted; a corrupt batch ends it with an `event: error` whose
// data is the API's error body.

import { once } from 'node:events';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { TAIL_START_QUERY, type TailStart, startPositions, tailRecords } from './partition-tail.js';
import { recordJson } from './record-json.js';
import { ERROR_RESPONSES, strictObject, topicParam } from './schemas.js';

const DEFAULT_HEARTBEAT_MS = 15_000;

interface StreamQuery extends TailStart {
  heartbeatMs: number;
}

const EVENT_ID = /^\d+:-?\d+(,\d+:-?\d+)*$/;

/** The positions a Last-Event-ID names, as next offsets to read; every partition must be one the stream follows. */
function resumePositions(lastEventId: string, next: Map<number, number>): Map<number, number> {
  const refused = (why: string) => new HttpApiError(400, 'SLUICE_HTTP_BAD_LAST_EVENT_ID', `Last-Event-ID '${lastEventId}' ${why}`, 'send back the id of the last event received, unchanged');
  if (!EVENT_ID.test(lastEventId)) throw refused('is not a list of partition:offset');
  const resumed = new Map(next);
  for (const pair of lastEventId.split(',')) {
    const [partition, offset] = pair.split(':').map(Number);
    if (!next.has(partition)) throw refused(`names partition ${partition}, which this stream does not follow`);
    resumed.set(partition, offset + 1);
  }
  return resumed;
}

function eventId(next: Map<number, number>, single: number | undefined): string {
  if (single !== undefined) return `${single}:${next.get(single)! - 1}`;
  return [...next].map(([p, o]) => `${p}:${o - 1}`).join(',');
}

/** Writes `chunk`, waiting for the socket to drain when it is full, unless the stream ends first. */
async function send(reply: FastifyReply, chunk: string, signal: AbortSignal): Promise<void> {
  if (reply.raw.write(chunk) || signal.aborted) return;
  await once(reply.raw, 'drain', { signal }).catch(() => {});
}

export function registerTopicStreamRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  // Open streams end before the server closes: it closes the sockets idle by
  // then and would wait for any still streaming.
  const closing = new AbortController();
  const open = new Set<Promise<void>>();
  app.addHook('preClose', async () => {
    closing.abort();
    await Promise.all(open);
  });

  app.get<{ Params: { topic: string }; Querystring: StreamQuery }>(
    '/topics/:topic/stream',
    {
      schema: {
        summary: "Follow a topic's records live as Server-Sent Events",
        description:
          'Each event: data is one record as in GET /topics/{t}/records, id is partition:offset of it (one partition) or, for all partitions, partition:offset for every partition (the last offset passed, -1 before the first). Reconnect with Last-Event-ID to resume after it. A comment line every heartbeatMs keeps proxies from closing an idle stream. A corrupt batch ends the stream with event: error.',
        tags: ['records'],
        params: topicParam,
        querystring: strictObject({
          ...TAIL_START_QUERY,
          heartbeatMs: { type: 'integer', minimum: 1000, maximum: 300_000, default: DEFAULT_HEARTBEAT_MS },
        }),
        response: { 200: { description: 'text/event-stream', type: 'string' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { topic } = request.params;
      const query = request.query;
      let next = await startPositions(ctx, topic, query);
      const lastEventId = request.headers['last-event-id'];
      if (typeof lastEventId === 'string' && lastEventId !== '') next = resumePositions(lastEventId, next);

      // From here the response is written by hand; errors become error events.
      reply.hijack();
      const gone = new AbortController();
      reply.raw.on('close', () => gone.abort());
      const signal = AbortSignal.any([gone.signal, closing.signal]);
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
      reply.raw.write(': following ' + topic + '\n\n');
      const heartbeat = setInterval(() => reply.raw.write(': heartbeat\n\n'), query.heartbeatMs);
      let ended = () => {};
      const done = new Promise<void>((resolve) => (ended = resolve));
      open.add(done);
      try {
        for await (const { partition, record } of tailRecords(ctx, topic, next, signal)) {
          await send(reply, `id: ${eventId(next, query.partition)}\ndata: ${recordJson(partition, record)}\n\n`, signal);
        }
      } catch (err) {
        const apiError = err instanceof HttpApiError ? err : new HttpApiError(500, 'SLUICE_HTTP_INTERNAL', 'the stream failed; see the broker log');
        if (!(err instanceof HttpApiError)) request.log.error({ err, topic }, 'SSE stream failed');
        reply.raw.write(`event: error\ndata: ${JSON.stringify({ error: { code: apiError.code, message: apiError.message, hint: apiError.hint } })}\n\n`);
      } finally {
        clearInterval(heartbeat);
        reply.raw.end();
        open.delete(done);
        ended();
      }
    },
  );
}
