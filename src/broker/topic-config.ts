// Topic-level configs (Kafka names), their defaults from the broker config,
// validation, and the mapping onto the storage engine's LogConfig.

import type { BrokerConfig } from '../config.js';
import { DEFAULT_DELETE_RETENTION_MS } from '../storage/log-cleaner.js';
import type { LogConfig } from '../storage/partition-log.js';

export type TopicConfigs = Record<string, string>;

/** Default dedup.window.ms: 10 minutes. */
export const DEFAULT_DEDUP_WINDOW_MS = 10 * 60 * 1000;

interface ConfigSpec {
  /** Default value as Kafka would show it, from the broker config. */
  default(broker: BrokerConfig): string;
  /** Returns an error message for a bad value, or null. */
  check(value: string): string | null;
}

function intSpec(min: number, def: (b: BrokerConfig) => number): ConfigSpec {
  return {
    default: (b) => String(def(b)),
    check: (v) => (/^-?\d+$/.test(v) && Number(v) >= min ? null : `must be an integer >= ${min}`),
  };
}

function stringSpec(maxLength: number): ConfigSpec {
  return { default: () => '', check: (v) => (v.length <= maxLength ? null : `must be at most ${maxLength} characters`) };
}

function enumSpec(values: string[], def: (b: BrokerConfig) => string): ConfigSpec {
  return { default: def, check: (v) => (values.includes(v) ? null : `must be one of ${values.join(', ')}`) };
}

export const TOPIC_CONFIGS: Record<string, ConfigSpec> = {
  'cleanup.policy': enumSpec(['delete', 'compact', 'compact,delete', 'delete,compact'], () => 'delete'),
  'retention.ms': intSpec(-1, (b) => b.retentionMs),
  // Compacted topics: how long a tombstone stays after its segment was first cleaned.
  'delete.retention.ms': intSpec(0, () => DEFAULT_DELETE_RETENTION_MS),
  'retention.bytes': intSpec(-1, (b) => b.retentionBytes),
  'segment.bytes': intSpec(1024, (b) => b.segmentBytes),
  'segment.ms': intSpec(1, (b) => b.segmentMs),
  'flush.policy': enumSpec(['group-commit', 'interval', 'os'], (b) => b.flushPolicy),
  'flush.interval.ms': intSpec(1, (b) => b.flushIntervalMs),
  'max.message.bytes': intSpec(0, (b) => b.messageMaxBytes),
  'message.timestamp.type': enumSpec(['CreateTime', 'LogAppendTime'], () => 'CreateTime'),
  'min.insync.replicas': intSpec(1, () => 1),
  // Sluice's own: drop records whose value of this header was accepted on the partition
  // within dedup.window.ms (dedup-window.ts). Empty: off.
  'dedup.header': stringSpec(255),
  'dedup.window.ms': intSpec(1, () => DEFAULT_DEDUP_WINDOW_MS),
};

/** Returns an error message for the first unknown name or bad value, or null. */
export function validateTopicConfigs(configs: TopicConfigs): string | null {
  for (const [name, value] of Object.entries(configs)) {
    const spec = TOPIC_CONFIGS[name];
    if (!spec) return `unknown topic config "${name}"`;
    const problem = spec.check(value);
    if (problem) return `${name} ${problem}, got "${value}"`;
  }
  return null;
}

/** Every topic config with its effective value and whether it is the default. */
export function effectiveConfigs(configs: TopicConfigs, broker: BrokerConfig): { name: string; value: string; isDefault: boolean }[] {
  return Object.entries(TOPIC_CONFIGS).map(([name, spec]) => ({
    name,
    value: configs[name] ?? spec.default(broker),
    isDefault: configs[name] === undefined,
  }));
}

function value(configs: TopicConfigs, broker: BrokerConfig, name: string): string {
  return configs[name] ?? TOPIC_CONFIGS[name].default(broker);
}

export function logConfigFor(configs: TopicConfigs, broker: BrokerConfig): LogConfig {
  const num = (name: string) => Number(value(configs, broker, name));
  // As in Kafka, cleanup.policy=compact alone never deletes segments by age or size.
  const deletes = value(configs, broker, 'cleanup.policy').includes('delete');
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    retentionMs: deletes ? num('retention.ms') : -1,
    retentionBytes: deletes ? num('retention.bytes') : -1,
    deleteRetentionMs: num('delete.retention.ms'),
    flushPolicy: value(configs, broker, 'flush.policy') as LogConfig['flushPolicy'],
    flushIntervalMs: num('flush.interval.ms'),
    indexIntervalBytes: 4096,
  };
}

/** Whether the topic's cleanup.policy includes compact. */
export function isCompacted(configs: TopicConfigs): boolean {
  return (configs['cleanup.policy'] ?? '').includes('compact');
}

export function maxMessageBytes(configs: TopicConfigs, broker: BrokerConfig): number {
  return Number(value(configs, broker, 'max.message.bytes'));
}

export function usesLogAppendTime(configs: TopicConfigs): boolean {
  return configs['message.timestamp.type'] === 'LogAppendTime';
}

/** Header deduplication settings, or null when the topic does not set dedup.header. */
export function dedupSettings(configs: TopicConfigs): { headerKey: string; windowMs: number } | null {
  const headerKey = configs['dedup.header'];
  if (!headerKey) return null;
  return { headerKey, windowMs: Number(configs['dedup.window.ms'] ?? DEFAULT_DEDUP_WINDOW_MS) };
}
