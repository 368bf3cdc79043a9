// Records over HTTP.
//
// POST /topics/{t}/records appends through record-append.ts (the broker's
// produce path; partition by name, key or turn): a JSON body is one record or
// { records: [...] }; a body sent as application/octet-stream is one record's
// value, its key and partition in the query.
//
// GET /topics/{t}/records reads one partition from an offset or a time up to
// the high watermark as JSON lines, at most `limit` records; it never waits for
// records to come, only for the fsync of those already appended (so a record
// produced with acks=1 is read right after).

import type { FastifyInstance, FastifyReply } from 'fastify';
import { listOffset } from '../broker/list-offsets.js';
import { scanRecords } from '../broker/partition-scan.js';
import type { NewRecord } from '../protocol/records.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { partitionOf } from './partition-lookup.js';
import { type RecordAppender, type RecordToAppend, valueBytes } from './record-append.js';
import { recordJson } from './record-json.js';
import { ERROR_RESPONSES, strictObject, topicParam } from './schemas.js';

/** Records one POST may carry; the body size limit applies as well. */
const MAX_RECORDS_PER_POST = 10_000;
const DEFAULT_SCAN_RECORDS = 100;
const MAX_SCAN_RECORDS = 10_000;
/** Bytes of batches one GET reads at most (the first batch always goes whole). */
const MAX_SCAN_BYTES = 16 * 1024 * 1024;

interface JsonRecord {
  key?: string | null;
  value: unknown;
  headers?: Record<string, string>;
  partition?: number;
  timestamp?: number;
}

export interface ProduceQuery {
  acks: '0' | '1' | '-1' | 'all';
  key?: string;
  partition?: number;
}

const recordSchema = strictObject(
  {
    key: { type: ['string', 'null'] },
    value: { description: 'a string is stored as its UTF-8 bytes, any other JSON value as its JSON text, null as a tombstone' },
    headers: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1000 },
    partition: { type: 'integer', minimum: 0 },
    timestamp: { type: 'integer', minimum: 0, description: 'create time (ms); default now' },
  },
  ['value'],
);

const producedSchema = {
  type: 'object',
  properties: {
    records: {
      type: 'array',
      description: 'where each record went, in the order sent (empty with acks=0)',
      items: { type: 'object', properties: { partition: { type: 'integer' }, offset: { type: 'integer' } } },
    },
  },
} as const;

function utf8(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

function toNewRecord(r: JsonRecord): NewRecord {
  return {
    key: r.key == null ? null : utf8(r.key),
    value: valueBytes(r.value),
    headers: Object.entries(r.headers ?? {}).map(([key, v]) => ({ key, value: utf8(v as string) })),
    timestamp: r.timestamp,
  };
}

/** The records of a produce body, each with the partition it asks for: a JSON record's own, or the query's for a raw body. */
function recordsOf(body: JsonRecord | { records: JsonRecord[] } | Buffer, query: ProduceQuery): RecordToAppend[] {
  if (Buffer.isBuffer(body)) return [{ record: { key: query.key === undefined ? null : utf8(query.key), value: body }, partition: query.partition }];
  return ('records' in body ? body.records : [body]).map((r) => ({ record: toNewRecord(r), partition: r.partition }));
}

/** The query of a produce: acks, and the key and partition of a raw body. */
export const PRODUCE_QUERY_PROPERTIES = {
  acks: { type: 'string', enum: ['0', '1', '-1', 'all'], default: 'all', description: '0: answer at once; 1: once appended; all: once committed (fsynced under group-commit)' },
  key: { type: 'string', description: 'the record key of an application/octet-stream body' },
  partition: { type: 'integer', minimum: 0, description: 'the partition of an application/octet-stream body' },
} as const;

export const PRODUCE_BODY = {
  content: {
    'application/json': {
      schema: {
        oneOf: [recordSchema, strictObject({ records: { type: 'array', minItems: 1, maxItems: MAX_RECORDS_PER_POST, items: recordSchema } }, ['records'])],
      },
    },
    'application/octet-stream': { schema: { description: 'one record value, as is' } },
  },
} as const;

export const PRODUCE_RESPONSES = { 200: producedSchema, 202: producedSchema, ...ERROR_RESPONSES } as const;

export type ProduceBody = JsonRecord | { records: JsonRecord[] } | Buffer;

/** Appends a produce body's records to `topic` and answers where they went (202 and none with acks=0). */
export async function produce(appender: RecordAppender, topic: string, body: ProduceBody, query: ProduceQuery, reply: FastifyReply) {
  const placed = await appender.append(topic, recordsOf(body, query), query.acks === 'all' ? -1 : Number(query.acks));
  if (placed === null) return reply.code(202).send({ records: [] });
  return { records: placed };
}

export function registerRecordRoutes(app: FastifyInstance, ctx: HttpApiContext, appender: RecordAppender): void {

  app.post<{ Params: { topic: string }; Querystring: ProduceQuery; Body: ProduceBody }>(
    '/topics/:topic/records',
    {
      schema: {
        summary: 'Append records (needs --http-writes)',
        description: 'JSON: one record or { records: [...] }. application/octet-stream: the body is one record value; key and partition come from the query.',
        tags: ['records'],
        params: topicParam,
        querystring: strictObject(PRODUCE_QUERY_PROPERTIES),
        body: PRODUCE_BODY,
        response: PRODUCE_RESPONSES,
      },
    },
    async (request, reply) => produce(appender, request.params.topic, request.body, request.query, reply),
  );

  app.get<{ Params: { topic: string }; Querystring: { partition: number; offset?: number; time?: number; limit: number } }>(
    '/topics/:topic/records',
    {
      schema: {
        summary: 'Read records of one partition as JSON lines, up to the high watermark',
        description:
          'One JSON object per line: partition, offset, timestamp, key, value (UTF-8 text, or base64 with keyEncoding/valueEncoding "base64"), headers. Transaction markers are left out. The sluice-next-offset response header says where to go on.',
        tags: ['records'],
        params: topicParam,
        querystring: strictObject({
          partition: { type: 'integer', minimum: 0, default: 0 },
          offset: { type: 'integer', minimum: 0, description: 'first offset to read; default the log start' },
          time: { type: 'integer', minimum: 0, description: 'read from the first record with a timestamp at or after this (ms); instead of offset' },
          limit: { type: 'integer', minimum: 1, maximum: MAX_SCAN_RECORDS, default: DEFAULT_SCAN_RECORDS },
        }),
        response: { 200: { description: 'JSON lines (application/x-ndjson)', type: 'string' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const name = request.params.topic;
      const { partition, offset, time, limit } = request.query;
      if (offset !== undefined && time !== undefined) throw new HttpApiError(400, 'SLUICE_HTTP_BAD_REQUEST', 'give offset or time, not both');
      if (!ctx.broker.cluster.topic(name)) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_TOPIC', `unknown topic '${name}'`, 'GET /topics lists the topics');
      const p = partitionOf(ctx, name, partition);
      // Read-your-writes, as a fetch does (broker/fetch.ts): records appended with acks 0 or 1
      // wait for the fsync that lets the high watermark pass them, not for more records.
      await p.awaitLogEnd();
      let from = offset ?? p.logStartOffset;
      if (time !== undefined) {
        const found = await listOffset(p, time);
        from = found.offset === -1 ? p.highWatermark : found.offset;
      } else if (from < p.logStartOffset || from > p.highWatermark) {
        throw new HttpApiError(416, 'SLUICE_HTTP_OFFSET_OUT_OF_RANGE', `offset ${from} is outside ${name}-${partition}, which holds ${p.logStartOffset} to ${p.highWatermark - 1}`, `read from ${p.logStartOffset} to ${p.highWatermark}`);
      }
      const scan = scanRecords(p, from, { maxRecords: limit, maxBytes: MAX_SCAN_BYTES });
      if (scan.records.length === 0 && scan.corrupt) {
        const { baseOffset, lastOffset } = scan.corrupt;
        throw new HttpApiError(500, 'SLUICE_HTTP_CORRUPT_BATCH', `offsets ${baseOffset} to ${lastOffset} of ${name}-${partition} are in a batch that fails its CRC32C check`, `read on from offset ${lastOffset + 1}; sluice log verify lists the corrupt batches`);
      }
      return reply
        .type('application/x-ndjson')
        .header('sluice-next-offset', String(scan.nextOffset))
        .header('sluice-high-watermark', String(p.highWatermark))
        .send(scan.records.map((r) => recordJson(partition, r) + '\n').join(''));
    },
  );
}
