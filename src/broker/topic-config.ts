// Topic-level configs (Kafka names), their defaults from the broker config,
// validation, and the mapping onto the storage engine's LogConfig.

import type { BrokerConfig } from '../config.js';
import { GZIP_DEFAULT_LEVEL, ZSTD_DEFAULT_LEVEL } from '../protocol/compression.js';
import { Codec } from '../protocol/record-batch.js';
import { DEFAULT_DELETE_RETENTION_MS } from '../storage/log-cleaner.js';
import type { LogConfig } from '../storage/partition-log.js';

export type TopicConfigs = Record<string, string>;

/** Default message.timestamp.after.max.ms (Kafka 4.0, KIP-1030): 1 hour. */
export const DEFAULT_TIMESTAMP_AFTER_MAX_MS = 60 * 60 * 1000;

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

/** Kafka's Long.MAX_VALUE, which the timestamp bounds use for "no bound". */
const LONG_MAX = '9223372036854775807';

/** A non-negative Java long, kept as text: Long.MAX_VALUE has no exact JS number. */
function longSpec(def: string): ConfigSpec {
  return { default: () => def, check: (v) => (/^\d{1,19}$/.test(v) && BigInt(v) <= BigInt(LONG_MAX) ? null : 'must be an integer from 0 to 9223372036854775807') };
}

function intRangeSpec(min: number, max: number, def: number): ConfigSpec {
  return {
    default: () => String(def),
    check: (v) => (/^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? null : `must be an integer from ${min} to ${max}`),
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
  // KIP-937 bounds on CreateTime timestamps; Kafka 4.0 (KIP-1030) made after.max.ms 1 hour.
  'message.timestamp.before.max.ms': longSpec(LONG_MAX),
  'message.timestamp.after.max.ms': longSpec(String(DEFAULT_TIMESTAMP_AFTER_MAX_MS)),
  // Deprecated by KIP-937 (removed in Kafka 4.0): stands in for either bound the topic does not set.
  'message.timestamp.difference.max.ms': longSpec(LONG_MAX),
  // The codec batches are stored in: `producer` keeps the producer's; another codec recompresses (recompress.ts).
  'compression.type': enumSpec(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'], () => 'producer'),
  // KIP-390 levels for that recompression; -1 is zlib's default (6).
  'compression.gzip.level': enumSpec(['-1', '1', '2', '3', '4', '5', '6', '7', '8', '9'], () => String(GZIP_DEFAULT_LEVEL)),
  // Accepted for compatibility only: the lz4 codec has a single level.
  'compression.lz4.level': intRangeSpec(1, 17, 9),
  'compression.zstd.level': intRangeSpec(-131072, 22, ZSTD_DEFAULT_LEVEL),
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

/** A bound in ms from a Java long; Long.MAX_VALUE and anything past 2^53 mean no bound. */
function boundMs(value: string): number {
  const ms = Number(value);
  return ms > Number.MAX_SAFE_INTEGER ? Infinity : ms;
}

/**
 * How far a CreateTime record's timestamp may lie before and after the broker's
 * clock (ms; Infinity: unbounded), or null when nothing is checked: LogAppendTime
 * topics, or both bounds off. The deprecated difference.max.ms stands in for a
 * bound the topic does not set itself.
 */
export function timestampBounds(configs: TopicConfigs): { beforeMs: number; afterMs: number } | null {
  if (usesLogAppendTime(configs)) return null;
  const difference = configs['message.timestamp.difference.max.ms'];
  const bound = (name: string, def: string) => boundMs(configs[name] ?? difference ?? def);
  const beforeMs = bound('message.timestamp.before.max.ms', LONG_MAX);
  const afterMs = bound('message.timestamp.after.max.ms', String(DEFAULT_TIMESTAMP_AFTER_MAX_MS));
  return beforeMs === Infinity && afterMs === Infinity ? null : { beforeMs, afterMs };
}

const CODEC_BY_NAME: Record<string, Codec> = { uncompressed: Codec.None, gzip: Codec.Gzip, snappy: Codec.Snappy, lz4: Codec.Lz4, zstd: Codec.Zstd };

/**
 * The codec the topic stores batches in, with its level where the codec has
 * levels (gzip, zstd), or null for compression.type=producer (stored as sent).
 */
export function compressionTypeOf(configs: TopicConfigs): { codec: Codec; level?: number } | null {
  const codec = CODEC_BY_NAME[configs['compression.type'] ?? 'producer'];
  if (codec === undefined) return null;
  if (codec === Codec.Gzip) return { codec, level: Number(configs['compression.gzip.level'] ?? GZIP_DEFAULT_LEVEL) };
  if (codec === Codec.Zstd) return { codec, level: Number(configs['compression.zstd.level'] ?? ZSTD_DEFAULT_LEVEL) };
  return { codec };
}
