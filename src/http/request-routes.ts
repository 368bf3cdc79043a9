// POST /request/{t}: request/reply over HTTP, the same exchange as a Sluice
// client's client.request(): the body is published to topic t with
// correlation-id and reply-to headers (reply-inbox.ts), and the HTTP answer is
// the reply a server (client.serve()) sends back, or 504 after timeoutMs.
//
// The request value is the body: JSON as the records route takes a record's
// value (a JSON string as its UTF-8 text, other JSON as its JSON text), or the
// bytes of an application/octet-stream body. The reply's value is answered as
// application/json when it is JSON, text/plain when it is other UTF-8 text,
// else application/octet-stream. A reply whose handler threw (the `error`
// header) is answered 502 SLUICE_HTTP_REQUEST_FAILED with its message.

import type { FastifyInstance } from 'fastify';
import { ERROR_HEADER } from '../client/request-reply.js';
import type { Record as StoredRecord } from '../protocol/records.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { type RecordAppender, valueBytes } from './record-append.js';
import { ReplyInbox } from './reply-inbox.js';
import { ERROR_RESPONSES, strictObject, topicParam } from './schemas.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Longest a request may wait for its reply (ms). */
const MAX_TIMEOUT_MS = 300_000;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function contentTypeOf(value: Buffer): string {
  let text: string;
  try {
    text = fatalUtf8.decode(value);
  } catch {
    return 'application/octet-stream';
  }
  try {
    JSON.parse(text);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

function handlerError(reply: StoredRecord): string | undefined {
  return reply.headers.find((h) => h.key === ERROR_HEADER)?.value?.toString('utf8');
}

export function registerRequestRoutes(app: FastifyInstance, ctx: HttpApiContext, appender: RecordAppender): void {
  const inbox = new ReplyInbox(ctx);
  app.addHook('onClose', () => inbox.close());

  app.post<{ Params: { topic: string }; Querystring: { timeoutMs: number; key?: string }; Body: unknown }>(
    '/request/:topic',
    {
      schema: {
        summary: 'Send a request to a topic and answer its reply (needs --http-writes)',
        description:
          'Publishes the body with correlation-id and reply-to headers, as client.request() does, and waits for the reply of a server (client.serve()) up to timeoutMs. JSON body: a string is sent as its UTF-8 text, other JSON as its JSON text; application/octet-stream: the bytes as they are. The reply value comes back as application/json, text/plain or application/octet-stream. 504 SLUICE_HTTP_REQUEST_TIMEOUT without a reply in time; 502 SLUICE_HTTP_REQUEST_FAILED when the handler threw.',
        tags: ['records'],
        params: topicParam,
        querystring: strictObject({
          timeoutMs: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS, default: DEFAULT_TIMEOUT_MS },
          key: { type: 'string', description: "the request's key, which decides its partition" },
        }),
        body: {
          content: {
            'application/json': { schema: { description: 'the request value' } },
            'application/octet-stream': { schema: { description: 'the request value, as is' } },
          },
        },
        response: { 200: { description: 'the reply value' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { timeoutMs, key } = request.query;
      const pending = await inbox.open(timeoutMs);
      const value = Buffer.isBuffer(request.body) ? request.body : valueBytes(request.body);
      try {
        await appender.append(request.params.topic, [{ record: { key: key === undefined ? null : Buffer.from(key, 'utf8'), value, headers: pending.headers } }], -1);
      } catch (err) {
        pending.cancel();
        throw err;
      }
      const answer = await pending.reply;
      const failure = handlerError(answer);
      if (failure !== undefined) throw new HttpApiError(502, 'SLUICE_HTTP_REQUEST_FAILED', `the server's handler failed: ${failure}`);
      if (answer.value === null) return reply.code(204).send();
      return reply.type(contentTypeOf(answer.value)).send(answer.value);
    },
  );
}
