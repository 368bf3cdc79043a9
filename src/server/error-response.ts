// The answer to a request whose handler failed (Kafka's AbstractRequest.getErrorResponse):
// built once for every API from its schemas instead of per handler, so a new API
// gets it for free.
//
// The response echoes the request's entries with the error code on each:
//
//   request   topics[ {name, partitions[ {partition} ]} ]
//   response  responses[ {name, partitions[ {partitionIndex, errorCode} ]} ], errorCode
//
// A response array is filled from the request array it answers (same name, else the
// only array the request has at that level) when its entries hold an error code
// somewhere; arrays without one (Metadata's brokers, a group's members) stay empty.
// Inside those entries, key fields (names, ids, partition numbers) are copied from the
// request entry by name (or a known alias: partition / partitionIndex / index, topic /
// name), so each entry names what it answers; everything else takes its schema default (at the top level too: no member id
// or producer id is echoed back), records are empty (never null: librdkafka cannot
// parse a null record set).

import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { type Field, type MessageSchema, inRange } from '../protocol/schema.js';

const NO_RECORDS = Buffer.alloc(0);

/** Fields that carry an entry's error code (AddPartitionsToTxn names its own). */
const ERROR_CODE_FIELDS: readonly string[] = ['errorCode', 'partitionErrorCode'];

/** Request arrays a response array may answer, where the names differ and the request has several. */
const ARRAY_ALIASES: Record<string, readonly string[]> = {
  responses: ['topics', 'topicData'],
  partitionResponses: ['partitionData'],
};

/** Request field names a response key field may be copied from. */
const KEY_ALIASES: Record<string, readonly string[]> = {
  partitionIndex: ['partition', 'index'],
  partition: ['partitionIndex', 'index'],
  index: ['partition', 'partitionIndex'],
  name: ['topic'],
  topic: ['name'],
};

/**
 * The Kafka error code for an error a handler threw: the code it carries
 * (`errorCode`, as broker TopicError), else UNKNOWN_SERVER_ERROR.
 */
export function errorCodeOf(err: unknown): number {
  const code = (err as { errorCode?: unknown } | null)?.errorCode;
  return typeof code === 'number' && Number.isInteger(code) && code !== ErrorCode.NONE ? code : ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** The response to `request` (decoded at `version`) that reports `errorCode` for all of it. */
export function errorResponse(request: Message, requestSchema: MessageSchema, responseSchema: MessageSchema, version: number, errorCode: number): Message {
  return answerStruct(responseSchema.fields, request, requestSchema.fields, version, errorCode, false);
}

function answerStruct(fields: Field[], req: Message | null, reqFields: Field[], version: number, errorCode: number, echo: boolean): Message {
  const out: Message = {};
  for (const field of fields) {
    if (!inRange(field.versions, version)) continue;
    if (isErrorCode(field)) out[field.name] = errorCode;
    else if (field.type === 'records') out[field.name] = NO_RECORDS;
    else if (Array.isArray(field.type)) {
      if (field.array) out[field.name] = answerArray(field, field.type, req, reqFields, version, errorCode);
    } else if (echo && req !== null && isKey(field)) {
      const from = [field.name, ...(KEY_ALIASES[field.name] ?? [])].find((n) => req[n] !== undefined && reqFields.some((r) => r.name === n && !Array.isArray(r.type)));
      if (from !== undefined) out[field.name] = req[from];
    }
  }
  return out;
}

function answerArray(field: Field, entryFields: Field[], req: Message | null, reqFields: Field[], version: number, errorCode: number): Message[] {
  if (req === null || !holdsErrorCode(entryFields, version)) return [];
  const source = requestArrayFor(field.name, reqFields, version);
  const items = source ? req[source.name] : null;
  if (!source || !Array.isArray(items)) return [];
  if (Array.isArray(source.type)) {
    const nested = source.type;
    return items.map((item: Message) => answerStruct(entryFields, item, nested, version, errorCode, true));
  }
  // An array of bare keys (DeleteTopics' topicNames, DescribeGroups' groups): the key goes
  // into the entry's first field of that type.
  const key = entryFields.find((f) => inRange(f.versions, version) && !f.array && f.type === source.type && !isErrorCode(f) && f.name !== 'errorMessage');
  return items.map((item: unknown) => {
    const entry = answerStruct(entryFields, null, [], version, errorCode, false);
    if (key) entry[key.name] = item;
    return entry;
  });
}

/** The request array a response array answers: the one of the same name or an alias, else the only one. */
function requestArrayFor(name: string, reqFields: Field[], version: number): Field | undefined {
  const arrays = reqFields.filter((f) => f.array && inRange(f.versions, version));
  const names = [name, ...(ARRAY_ALIASES[name] ?? [])];
  return arrays.find((f) => names.includes(f.name)) ?? (arrays.length === 1 ? arrays[0] : undefined);
}

/** Fields that name what an entry is about: names, ids, resource types, partition numbers (not offsets, counts or times). */
function isKey(field: Field): boolean {
  if (field.array) return false;
  return field.type === 'string' || field.type === 'uuid' || field.type === 'int8' || (field.type === 'int32' && field.name in KEY_ALIASES);
}

function isErrorCode(field: Field): boolean {
  return field.type === 'int16' && !field.array && ERROR_CODE_FIELDS.includes(field.name);
}

function holdsErrorCode(fields: Field[], version: number): boolean {
  return fields.some((f) => inRange(f.versions, version) && (isErrorCode(f) || (Array.isArray(f.type) && holdsErrorCode(f.type, version))));
}
