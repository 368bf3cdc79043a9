// DescribeConfigs v0-4 (v4 flexible). A topic lists every topic config with its
// effective value (defaults included, as clients expect); this broker (its
// node id) lists its settings by Kafka name, and "" the cluster-wide dynamic
// defaults only; a group lists every group config. Sources and synonyms (v1+),
// config types and documentation (v3+, KIP-569) come from the config tables in
// src/metadata/. Needs DESCRIBE_CONFIGS on the resource (the cluster for a broker).

import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from '../../protocol/messages/describe-configs.js';
import type { Message } from '../../protocol/codec.js';
import { ResourceType } from '../../broker/config-changes.js';
import { CONFIG_TYPE_CODE, ConfigSource, type DescribedConfig, documentation } from '../../metadata/config-def.js';
import { describeGroup } from '../../metadata/group-configs.js';
import type { ApiHandler, RequestContext } from './handler.js';
import { DESCRIBE_CONFIGS, configResourceError } from './authorize.js';

function configsOf(resource: Message, ctx: RequestContext): DescribedConfig[] | { errorCode: number; errorMessage: string } {
  const name: string = resource.resourceName;
  const refused = configResourceError(ctx, DESCRIBE_CONFIGS, resource.resourceType, name);
  if (refused !== ErrorCode.NONE) return { errorCode: refused, errorMessage: `not allowed to describe the configs of '${name}'` };
  switch (resource.resourceType) {
    case ResourceType.TOPIC: {
      const topic = ctx.broker.cluster.topic(name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic '${name}'` };
      return ctx.broker.dynamicConfig.describeTopic(topic.configs);
    }
    case ResourceType.BROKER:
      if (!ctx.broker.dynamicConfig.isThisBroker(name)) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `broker '${name}' is not this broker (${ctx.config.nodeId})` };
      return ctx.broker.dynamicConfig.describeBroker(name === '');
    case ResourceType.GROUP:
      return describeGroup(ctx.broker.cluster.groupConfigs(name));
    default:
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} is not supported` };
  }
}

function describe(resource: Message, req: Message, ctx: RequestContext): Message {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  const found = configsOf(resource, ctx);
  if (!Array.isArray(found)) return { ...base, ...found, configs: [] };
  const keys: string[] | null = resource.configurationKeys;
  const entries = keys !== null && keys.length > 0 ? found.filter((e) => keys.includes(e.def.name)) : found;
  return {
    ...base,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    configs: entries.map((e) => ({
      name: e.def.name,
      value: e.value,
      readOnly: e.readOnly,
      isDefault: e.source === ConfigSource.DEFAULT,
      configSource: e.source,
      isSensitive: false,
      synonyms: req.includeSynonyms ? e.synonyms : [],
      configType: CONFIG_TYPE_CODE[e.def.type],
      documentation: req.includeDocumentation ? documentation(e.def) : null,
    })),
  };
}

export const describeConfigs: ApiHandler = {
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  handle: (req, ctx) => ({ throttleTimeMs: 0, results: req.resources.map((r: Message) => describe(r, req, ctx)) }),
};
