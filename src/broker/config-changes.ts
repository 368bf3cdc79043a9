// Config changes of AlterConfigs and IncrementalAlterConfigs, for topics,
// this broker (its own node id or "" for the cluster-wide default) and groups.
// Each resource's new overrides are computed, validated as a whole and stored
// through the control plane, or nothing changes (validate_only stops before
// storing). Errors are Kafka's: INVALID_REQUEST for a malformed request (null
// value, unknown operation, APPEND/SUBTRACT on a non-list config, a duplicate
// resource or key, a broker config that cannot change at run time),
// INVALID_CONFIG for an unknown name or a bad value, UNKNOWN_TOPIC_OR_PARTITION
// for a missing topic.

import { ErrorCode } from '../protocol/error-codes.js';
import { brokerConfigDef, brokerConfigProblem } from '../metadata/broker-configs.js';
import { type ConfigMap, type ConfigType, splitList } from '../metadata/config-def.js';
import { groupConfigDef, groupConfigValue, validateGroupConfigs } from '../metadata/group-configs.js';
import { topicConfigDef, topicConfigValue, validateTopicConfigs } from '../metadata/topic-configs.js';
import type { Broker } from './broker.js';

/** Kafka's ConfigResource.Type codes. */
export const ResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;

/** IncrementalAlterConfigs operations (KIP-339). */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigAlteration {
  name: string;
  op: number;
  value: string | null;
}

export interface ResourceAlterations {
  resourceType: number;
  resourceName: string;
  alterations: ConfigAlteration[];
}

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
}

class AlterError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What changing one kind of resource needs. */
interface ConfigurableResource {
  /** Names the resource kind in messages. */
  kind: 'topic' | 'broker' | 'group';
  current: ConfigMap;
  /** The config's type and its effective value now (for APPEND / SUBTRACT), or undefined for an unknown name. */
  describe(name: string): { type: ConfigType; value: string } | undefined;
  /** Throws AlterError when `next` (after changing `changed`) cannot be stored. */
  validate(next: ConfigMap, changed: string[]): void;
  store(next: ConfigMap): Promise<void>;
}

function resourceOf(broker: Broker, type: number, name: string): ConfigurableResource {
  if (type === ResourceType.TOPIC) {
    const topic = broker.cluster.topic(name);
    if (!topic) throw new AlterError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    return {
      kind: 'topic',
      current: topic.configs,
      describe: (key) => {
        const def = topicConfigDef(key);
        return def && { type: def.type, value: topicConfigValue(topic.configs, key, broker.dynamicConfig) };
      },
      validate: (next) => {
        const problem = validateTopicConfigs(next);
        if (problem) throw new AlterError(ErrorCode.INVALID_CONFIG, problem);
      },
      store: (next) => broker.setTopicConfigs(name, next),
    };
  }
  if (type === ResourceType.BROKER) {
    if (!broker.dynamicConfig.isThisBroker(name)) throw new AlterError(ErrorCode.INVALID_REQUEST, `broker '${name}' is not this broker (${broker.config.nodeId})`);
    return {
      kind: 'broker',
      current: broker.cluster.brokerConfigs(name),
      describe: (key) => {
        const def = brokerConfigDef(key);
        return def && { type: def.type, value: broker.dynamicConfig.value(key) };
      },
      validate: (next, changed) => {
        for (const key of changed) {
          const problem = brokerConfigProblem(key, next[key] ?? null);
          if (problem) throw new AlterError(problem.kind === 'read-only' ? ErrorCode.INVALID_REQUEST : ErrorCode.INVALID_CONFIG, problem.message);
        }
      },
      store: (next) => broker.setBrokerConfigs(name, next),
    };
  }
  if (type === ResourceType.GROUP) {
    if (name === '') throw new AlterError(ErrorCode.INVALID_REQUEST, 'a group resource needs a group id');
    const current = broker.cluster.groupConfigs(name);
    return {
      kind: 'group',
      current,
      describe: (key) => {
        const def = groupConfigDef(key);
        return def && { type: def.type, value: groupConfigValue(current, key) };
      },
      validate: (next) => {
        const problem = validateGroupConfigs(next);
        if (problem) throw new AlterError(ErrorCode.INVALID_CONFIG, problem);
      },
      store: (next) => broker.cluster.setGroupConfigs(name, next),
    };
  }
  throw new AlterError(ErrorCode.INVALID_REQUEST, `resource type ${type} cannot be configured on this broker`);
}

/** IncrementalAlterConfigs: each alteration applied to the current overrides. */
function applyIncremental(resource: ConfigurableResource, alterations: ConfigAlteration[]): ConfigMap {
  const next = { ...resource.current };
  for (const { name, op, value } of alterations) {
    if (op !== AlterOp.SET && op !== AlterOp.DELETE && op !== AlterOp.APPEND && op !== AlterOp.SUBTRACT) throw new AlterError(ErrorCode.INVALID_REQUEST, `unknown config operation ${op} for ${name}`);
    const known = resource.describe(name);
    if (known === undefined) throw new AlterError(ErrorCode.INVALID_CONFIG, `unknown ${resource.kind} config "${name}"`);
    if (op === AlterOp.DELETE) {
      delete next[name];
      continue;
    }
    if (value === null) throw new AlterError(ErrorCode.INVALID_REQUEST, `null value not supported for ${name}`);
    if (op === AlterOp.SET) {
      next[name] = value;
      continue;
    }
    if (known.type !== 'list') throw new AlterError(ErrorCode.INVALID_REQUEST, `${op === AlterOp.APPEND ? 'APPEND' : 'SUBTRACT'} is only allowed on list configs, not ${name}`);
    // As Kafka: the base is the override if set, else the effective default.
    const items = splitList(next[name] ?? known.value);
    const given = splitList(value);
    next[name] = (op === AlterOp.APPEND ? [...items, ...given.filter((v) => !items.includes(v))] : items.filter((v) => !given.includes(v))).join(',');
  }
  return next;
}

/** AlterConfigs: the given configs replace every override of the resource. */
function replaceAll(alterations: ConfigAlteration[]): ConfigMap {
  const next: ConfigMap = {};
  for (const { name, value } of alterations) {
    if (value === null) throw new AlterError(ErrorCode.INVALID_REQUEST, `null value not supported for ${name}`);
    next[name] = value;
  }
  return next;
}

async function alterOne(broker: Broker, r: ResourceAlterations, incremental: boolean, validateOnly: boolean): Promise<AlterResult> {
  try {
    const names = r.alterations.map((a) => a.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new AlterError(ErrorCode.INVALID_REQUEST, `config ${duplicate} appears more than once`);
    const resource = resourceOf(broker, r.resourceType, r.resourceName);
    const next = incremental ? applyIncremental(resource, r.alterations) : replaceAll(r.alterations);
    resource.validate(next, incremental ? names : [...new Set([...names, ...Object.keys(resource.current)])]);
    if (!validateOnly) await resource.store(next);
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    if (err instanceof AlterError) return { errorCode: err.errorCode, errorMessage: err.message };
    throw err;
  }
}

/**
 * Alters each resource in order; `incremental` picks IncrementalAlterConfigs'
 * semantics over AlterConfigs'. A resource named twice in one request fails
 * both times, as in Kafka.
 */
export async function alterConfigs(broker: Broker, resources: ResourceAlterations[], incremental: boolean, validateOnly: boolean): Promise<AlterResult[]> {
  const key = (r: ResourceAlterations) => `${r.resourceType}:${r.resourceName}`;
  const keys = resources.map(key);
  const results: AlterResult[] = [];
  for (const r of resources) {
    if (keys.indexOf(key(r)) !== keys.lastIndexOf(key(r))) results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource ${r.resourceName} appears more than once` });
    else results.push(await alterOne(broker, r, incremental, validateOnly));
  }
  return results;
}
