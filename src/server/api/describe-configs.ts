// DescribeConfigs v0-4 (v4 flexible). Topics list every config with its
// effective value (defaults included, as clients expect); the broker resource
// lists the broker-wide defaults.

import { effectiveConfigs } from '../../broker/topic-config.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from '../../protocol/messages/describe-configs.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler, RequestContext } from './handler.js';

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const SOURCE_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;

interface Entry {
  name: string;
  value: string;
  source: number;
}

function brokerEntries(ctx: RequestContext): Entry[] {
  const c = ctx.config;
  const entries: [string, string | number | boolean][] = [
    ['broker.id', c.nodeId],
    ['auto.create.topics.enable', c.autoCreateTopicsEnable],
    ['num.partitions', c.numPartitions],
    ['message.max.bytes', c.messageMaxBytes],
    ['socket.request.max.bytes', c.socketRequestMaxBytes],
    ['log.segment.bytes', c.segmentBytes],
    ['log.roll.ms', c.segmentMs],
    ['log.retention.ms', c.retentionMs],
    ['log.retention.bytes', c.retentionBytes],
    ['log.retention.check.interval.ms', c.retentionCheckIntervalMs],
    ['flush.policy', c.flushPolicy],
    ['flush.interval.ms', c.flushIntervalMs],
  ];
  return entries.map(([name, value]) => ({ name, value: String(value), source: SOURCE_STATIC_BROKER }));
}

function describe(resource: Message, ctx: RequestContext): Message {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  let entries: Entry[];
  if (resource.resourceType === RESOURCE_TOPIC) {
    const topic = ctx.broker.cluster.topic(resource.resourceName);
    if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic '${resource.resourceName}'`, configs: [] };
    entries = effectiveConfigs(topic.configs, ctx.config).map((c) => ({ name: c.name, value: c.value, source: c.isDefault ? SOURCE_DEFAULT : SOURCE_TOPIC }));
  } else if (resource.resourceType === RESOURCE_BROKER) {
    entries = brokerEntries(ctx);
  } else {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} is not supported`, configs: [] };
  }
  const keys: string[] | null = resource.configurationKeys;
  if (keys !== null && keys.length > 0) entries = entries.filter((e) => keys.includes(e.name));
  return {
    ...base,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    configs: entries.map((e) => ({
      name: e.name,
      value: e.value,
      readOnly: e.source === SOURCE_STATIC_BROKER,
      isDefault: e.source === SOURCE_DEFAULT,
      configSource: e.source,
      isSensitive: false,
      synonyms: [],
      configType: 0,
      documentation: null,
    })),
  };
}

export const describeConfigs: ApiHandler = {
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  handle: (req, ctx) => ({ throttleTimeMs: 0, results: req.resources.map((r: Message) => describe(r, ctx)) }),
};
