// The dispatch table: API key -> handler. ApiVersions is computed from this
// list, so the versions advertised are exactly the versions served.

import { MessageCodec, type Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { ApiHandler } from './handler.js';
import { apiVersions } from './api-versions.js';
import { createPartitions } from './create-partitions.js';
import { createTopics } from './create-topics.js';
import { deleteRecords } from './delete-records.js';
import { deleteTopics } from './delete-topics.js';
import { describeConfigs } from './describe-configs.js';
import { fetch } from './fetch.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { produce } from './produce.js';

export interface HandlerEntry {
  handler: ApiHandler;
  requestCodec: MessageCodec;
  responseCodec: MessageCodec;
}

const handlers: ApiHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  describeConfigs,
  createPartitions,
];

const table = new Map<number, HandlerEntry>(
  handlers.map((handler) => [
    handler.apiKey,
    { handler, requestCodec: new MessageCodec(handler.request), responseCodec: new MessageCodec(handler.response) },
  ]),
);

export function handlerFor(apiKey: number): HandlerEntry | undefined {
  return table.get(apiKey);
}

/** The ApiKeys list of an ApiVersions response. */
export function supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return handlers
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

export function unsupportedApiVersionsResponse(): Message {
  return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: supportedApis(), throttleTimeMs: 0 };
}
