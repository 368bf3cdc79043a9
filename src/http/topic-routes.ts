// Topics over HTTP: the list (paged by name, so thousands of topics cost one
// bounded page each), a topic's detail (per partition: leader, offsets, size on
// disk and the corrupt byte ranges storage found; configs; the groups with
// offsets on it), and, with --http-writes, create, delete and alter configs
// through the same broker calls CreateTopics, DeleteTopics and
// IncrementalAlterConfigs make.

import { AclResourceType } from '../broker/acl/acl-binding.js';
import { mayDescribe } from './route-acls.js';
import type { FastifyInstance } from 'fastify';
import { TopicError } from '../broker/broker.js';
import { AlterOp, ResourceType, alterConfigs } from '../broker/config-changes.js';
import type { Partition } from '../broker/partition.js';
import { isInternalTopic } from '../broker/topic-name.js';
import type { TopicMetadata } from '../cluster/control-plane.js';
import { configSourceName } from '../metadata/config-def.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError, kafkaError } from './errors.js';
import { ERROR_RESPONSES, strictObject, topicParam } from './schemas.js';

const DEFAULT_PAGE = 1000;
const MAX_PAGE = 10_000;

const configMapSchema = { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 200 } as const;

const configEntrySchema = {
  type: 'object',
  properties: { name: { type: 'string' }, value: { type: 'string' }, source: { type: 'string' } },
} as const;

const partitionSchema = {
  type: 'object',
  properties: {
    partition: { type: 'integer' },
    leader: { type: 'integer' },
    leaderEpoch: { type: 'integer' },
    logStartOffset: { type: 'integer' },
    highWatermark: { type: 'integer' },
    lastStableOffset: { type: 'integer' },
    logEndOffset: { type: 'integer' },
    sizeBytes: { type: 'integer' },
    offline: { type: 'boolean' },
    corruptRanges: {
      type: 'array',
      description: 'batches that fail their CRC32C check, kept on disk and never served: their offsets, and their bytes in the segment file',
      items: {
        type: 'object',
        properties: {
          baseOffset: { type: 'integer' },
          lastOffset: { type: 'integer' },
          segment: { type: 'string', description: "the segment file's name in the partition's directory" },
          position: { type: 'integer', description: 'where the bytes start in that file' },
          size: { type: 'integer', description: 'how many bytes' },
        },
      },
    },
  },
} as const;

const topicDetailSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    topicId: { type: 'string', description: 'URL-safe base64, as Kafka prints topic ids' },
    internal: { type: 'boolean' },
    partitions: { type: 'array', items: partitionSchema },
    configs: { type: 'array', items: configEntrySchema },
    groups: { type: 'array', items: { type: 'string' }, description: 'consumer groups with committed offsets on the topic' },
  },
} as const;

function topicOf(ctx: HttpApiContext, name: string): TopicMetadata {
  const topic = ctx.broker.cluster.topic(name);
  if (!topic) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_TOPIC', `unknown topic '${name}'`, 'GET /topics lists the topics');
  return topic;
}

function heldPartitions(ctx: HttpApiContext, name: string): Partition[] {
  return ctx.broker.partitionsOf(name).filter((p) => p);
}

function describeConfigs(ctx: HttpApiContext, topic: TopicMetadata) {
  return ctx.broker.dynamicConfig.describeTopic(topic.configs).map((c) => ({ name: c.def.name, value: c.value, source: configSourceName(c.source) }));
}

function describeTopic(ctx: HttpApiContext, topic: TopicMetadata) {
  return {
    name: topic.name,
    topicId: topic.topicId.toString('base64url'),
    internal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((a) => {
      const p = ctx.broker.partition(topic.name, a.partition);
      const figures = p
        ? {
            logStartOffset: p.logStartOffset,
            highWatermark: p.highWatermark,
            lastStableOffset: p.lastStableOffset,
            logEndOffset: p.logEndOffset,
            sizeBytes: p.log.sizeBytes,
            offline: p.offline,
            corruptRanges: p.log.corruptSpans(),
          }
        : {};
      return { partition: a.partition, leader: a.leader, leaderEpoch: a.leaderEpoch, ...figures };
    }),
    configs: describeConfigs(ctx, topic),
    groups: ctx.groups.groupsWithOffsetsOn(topic.name),
  };
}

/** Runs a broker topic change, turning its Kafka error code into the API's error. */
async function topicChange<T>(doing: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof TopicError) throw kafkaError(err.errorCode, err.message, doing);
    throw err;
  }
}

export function registerTopicRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  app.get<{ Querystring: { limit: number; after?: string; internal: boolean } }>(
    '/topics',
    {
      schema: {
        summary: 'List topics, sorted by name, one page at a time',
        tags: ['topics'],
        querystring: strictObject({
          limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
          after: { type: 'string', description: 'the last name of the previous page (its `next`)' },
          internal: { type: 'boolean', default: false, description: 'include internal topics (__consumer_offsets, ...)' },
        }),
        response: {
          200: {
            type: 'object',
            properties: {
              topics: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    partitions: { type: 'integer' },
                    internal: { type: 'boolean' },
                    records: { type: 'integer', description: 'offsets from log start to high watermark, summed over partitions (transaction markers and compacted records included)' },
                    sizeBytes: { type: 'integer' },
                  },
                },
              },
              next: { type: ['string', 'null'], description: 'pass as `after` for the next page; null on the last' },
            },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { limit, after, internal } = request.query;
      const names = ctx.broker.cluster
        .topics()
        .map((t) => t.name)
        .filter((name) => (internal || !isInternalTopic(name)) && (after === undefined || name > after) && mayDescribe(ctx.authorizer, request, AclResourceType.TOPIC, name))
        .sort();
      const page = names.slice(0, limit);
      const topics = page.map((name) => {
        const parts = heldPartitions(ctx, name);
        return {
          name,
          partitions: ctx.broker.cluster.topic(name)?.partitions.length ?? 0,
          internal: isInternalTopic(name),
          records: parts.reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0),
          sizeBytes: parts.reduce((n, p) => n + p.log.sizeBytes, 0),
        };
      });
      return { topics, next: names.length > limit ? page[page.length - 1] : null };
    },
  );

  app.get<{ Params: { topic: string } }>(
    '/topics/:topic',
    { schema: { summary: "A topic's partitions, offsets, size on disk, corrupt ranges, configs and groups", tags: ['topics'], params: topicParam, response: { 200: topicDetailSchema, ...ERROR_RESPONSES } } },
    async (request) => describeTopic(ctx, topicOf(ctx, request.params.topic)),
  );

  app.post<{ Body: { name: string; partitions?: number; configs?: Record<string, string> } }>(
    '/topics',
    {
      schema: {
        summary: 'Create a topic (needs --http-writes)',
        tags: ['topics'],
        body: strictObject(
          {
            name: { type: 'string', minLength: 1, maxLength: 249 },
            partitions: { type: 'integer', minimum: 1, description: "default: the broker's num.partitions" },
            configs: configMapSchema,
          },
          ['name'],
        ),
        response: { 201: topicDetailSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { name, partitions, configs } = request.body;
      if (isInternalTopic(name)) throw kafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'internal topics are created by the broker', 'creating the topic');
      const topic = await topicChange('creating the topic', () => ctx.broker.createTopic(name, partitions ?? -1, configs ?? {}));
      return reply.code(201).send(describeTopic(ctx, topic));
    },
  );

  app.delete<{ Params: { topic: string } }>(
    '/topics/:topic',
    {
      schema: {
        summary: 'Delete a topic and all its records (needs --http-writes)',
        tags: ['topics'],
        params: topicParam,
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, deleted: { type: 'boolean' } } }, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const name = topicOf(ctx, request.params.topic).name;
      await topicChange('deleting the topic', () => ctx.broker.deleteTopic(name));
      return { name, deleted: true };
    },
  );

  app.patch<{ Params: { topic: string }; Body: { set?: Record<string, string>; delete?: string[] } }>(
    '/topics/:topic/configs',
    {
      schema: {
        summary: "Change a topic's configs: set some, delete others back to the broker default (needs --http-writes)",
        tags: ['topics'],
        params: topicParam,
        body: { ...strictObject({ set: configMapSchema, delete: { type: 'array', items: { type: 'string' }, maxItems: 200 } }), minProperties: 1 },
        response: { 200: { type: 'object', properties: { configs: { type: 'array', items: configEntrySchema } } }, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const name = topicOf(ctx, request.params.topic).name;
      const alterations = [
        ...Object.entries(request.body.set ?? {}).map(([config, value]) => ({ name: config, op: AlterOp.SET, value })),
        ...(request.body.delete ?? []).map((config) => ({ name: config, op: AlterOp.DELETE, value: null })),
      ];
      const [result] = await alterConfigs(ctx.broker, [{ resourceType: ResourceType.TOPIC, resourceName: name, alterations }], true, false);
      if (result.errorCode !== ErrorCode.NONE) throw kafkaError(result.errorCode, result.errorMessage, 'altering the configs');
      return { configs: describeConfigs(ctx, topicOf(ctx, name)) };
    },
  );
}
