// Topic configs: every one Kafka 4 accepts, plus Sluice's own (flush.policy,
// flush.interval.ms, dedup.header, dedup.window.ms), one typed definition each.
// A topic stores only its overrides; the rest come from the broker setting
// Kafka names as the synonym (retention.ms <- log.retention.ms), which may be a
// start-up option or a dynamic broker config (broker-configs.ts). The typed
// accessors below are what the broker reads.

import type { BrokerConfig } from '../config.js';
import { Codec } from '../protocol/record-batch.js';
import { DEFAULT_DELETE_RETENTION_MS } from '../storage/log-cleaner.js';
import type { FlushPolicy, LogConfig } from '../storage/partition-log.js';
import { type ConfigDef, type ConfigMap, type Validator, INT_MAX, LONG_MAX, bool, double, firstProblem, int, listOf, long, oneOf, splitList, text } from './config-def.js';

export type TopicConfigs = ConfigMap;

/** Default dedup.window.ms: 10 minutes. */
export const DEFAULT_DEDUP_WINDOW_MS = 10 * 60 * 1000;

export interface TopicConfigDef extends ConfigDef {
  /** Kafka's default, used when no broker setting supplies one. */
  default: string;
  /** The broker setting that supplies this topic config's default (Kafka's synonym). */
  brokerSynonym?: string;
  /** The start-up option that gives the broker setting its value, when Sluice has one. */
  fromBrokerConfig?: (c: BrokerConfig) => string | number;
}

/** The broker-level defaults topic configs fall back to (BrokerConfigs implements it). */
export interface TopicDefaults {
  /** The effective default of topic config `name`: broker-level override, start-up option or Kafka's default. */
  topicDefault(name: string): string;
}

/** "*" or a list of partition:broker pairs. */
const throttledReplicas: Validator = (v) =>
  v.trim() === '*' || splitList(v).every((pair) => /^\d+:\d+$/.test(pair)) ? null : 'must be * or a comma-separated list of partition:broker pairs';

const gzipLevel: Validator = (v) => (v.trim() === '-1' ? null : int(1, 9)(v) && 'must be -1 or an integer from 1 to 9');

const onlyFalse: Validator = (v) => bool(v) ?? (v.trim().toLowerCase() === 'false' ? null : 'cannot be true: tiered storage is not available on this broker');

type Def = Omit<TopicConfigDef, 'dynamic'>;

function applied(name: string, type: ConfigDef['type'], def: string, validate: Validator, doc: string, more: Partial<Def> = {}): Def {
  return { name, type, default: def, validate, doc, effect: 'applied', ...more };
}

function stored(name: string, type: ConfigDef['type'], def: string, validate: Validator, doc: string, more: Partial<Def> = {}): Def {
  return { name, type, default: def, validate, doc, effect: 'stored', ...more };
}

const DEFS: Def[] = [
  applied('cleanup.policy', 'list', 'delete', listOf(['compact', 'delete']), 'delete: old segments go by retention.ms / retention.bytes; compact: each key keeps its latest record; both: compact, then delete.', { brokerSynonym: 'log.cleanup.policy' }),
  // Recompression and the timestamp bounds are applied by the produce path.
  applied('compression.type', 'string', 'producer', oneOf(['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']), "Final compression of the topic's batches; producer keeps what the producer sent.", { brokerSynonym: 'compression.type' }),
  applied('compression.gzip.level', 'int', '-1', gzipLevel, 'gzip level used when the broker recompresses to gzip.', { brokerSynonym: 'compression.gzip.level' }),
  stored('compression.lz4.level', 'int', '9', int(1, 17), 'lz4 level for broker recompression; no effect: the lz4 codec has a single level.', { brokerSynonym: 'compression.lz4.level' }),
  applied('compression.zstd.level', 'int', '3', int(-131072, 22), 'zstd level used when the broker recompresses to zstd.', { brokerSynonym: 'compression.zstd.level' }),
  applied('delete.retention.ms', 'long', String(DEFAULT_DELETE_RETENTION_MS), long(0), 'How long a tombstone stays in a compacted topic after its segment was first cleaned.', { unit: 'ms', brokerSynonym: 'log.cleaner.delete.retention.ms' }),
  stored('file.delete.delay.ms', 'long', '60000', long(0), 'Wait before deleting a segment file; Sluice deletes at once.', { unit: 'ms', brokerSynonym: 'log.segment.delete.delay.ms' }),
  applied('flush.messages', 'long', LONG_MAX, long(1), 'Force an fsync every this many messages. 1 selects the group-commit flush policy (an fsync before every ack) unless the topic sets flush.policy; other values have no effect.', { unit: 'messages', brokerSynonym: 'log.flush.interval.messages' }),
  applied('flush.ms', 'long', LONG_MAX, long(0), 'Force an fsync this often. Unless the topic sets flush.policy, 0 selects the group-commit flush policy and any other value below the default selects the interval policy with this period.', { unit: 'ms', brokerSynonym: 'log.flush.interval.ms' }),
  applied('follower.replication.throttled.replicas', 'list', '', throttledReplicas, 'Replicas whose fetches from their leader count against follower.replication.throttled.rate (partition:broker pairs, or *).'),
  applied('index.interval.bytes', 'int', '4096', int(0), 'Bytes of log between two offset index entries; applies to segments created after a change.', { unit: 'bytes', brokerSynonym: 'log.index.interval.bytes' }),
  stored('leader.replication.throttled.replicas', 'list', '', throttledReplicas, 'Replicas whose leader side of replication is throttled (partition:broker pairs, or *).'),
  stored('local.retention.bytes', 'long', '-2', long(-2), 'Local size limit with tiered storage; -2 means retention.bytes.', { unit: 'bytes', brokerSynonym: 'log.local.retention.bytes' }),
  stored('local.retention.ms', 'long', '-2', long(-2), 'Local time limit with tiered storage; -2 means retention.ms.', { unit: 'ms', brokerSynonym: 'log.local.retention.ms' }),
  stored('max.compaction.lag.ms', 'long', LONG_MAX, long(1), 'Longest a record stays uncompacted; Sluice compacts every closed segment at each retention pass.', { unit: 'ms', brokerSynonym: 'log.cleaner.max.compaction.lag.ms' }),
  applied('max.message.bytes', 'int', String(1024 * 1024 + 12), int(0), 'Largest record batch the topic accepts (after compression).', { unit: 'bytes', brokerSynonym: 'message.max.bytes', fromBrokerConfig: (c) => c.messageMaxBytes }),
  stored('message.downconversion.enable', 'boolean', 'true', bool, 'Removed in Kafka 4; Sluice serves only v2 record batches and never down-converts.', { brokerSynonym: 'log.message.downconversion.enable' }),
  applied('message.timestamp.after.max.ms', 'long', '3600000', long(0), 'With CreateTime, refuse a batch whose timestamp is this far ahead of the broker clock.', { unit: 'ms', brokerSynonym: 'log.message.timestamp.after.max.ms' }),
  applied('message.timestamp.before.max.ms', 'long', LONG_MAX, long(0), 'With CreateTime, refuse a batch whose timestamp is this far behind the broker clock.', { unit: 'ms', brokerSynonym: 'log.message.timestamp.before.max.ms' }),
  applied('message.timestamp.difference.max.ms', 'long', LONG_MAX, long(0), 'Deprecated (KIP-937): both bounds at once; before.max.ms and after.max.ms replace it.', { unit: 'ms', brokerSynonym: 'log.message.timestamp.difference.max.ms' }),
  applied('message.timestamp.type', 'string', 'CreateTime', oneOf(['CreateTime', 'LogAppendTime']), "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches with the broker clock.", { brokerSynonym: 'log.message.timestamp.type' }),
  stored('min.cleanable.dirty.ratio', 'double', '0.5', double(0, 1), 'Dirty share of the log that starts a compaction; Sluice compacts whenever a closed segment is dirty.', { brokerSynonym: 'log.cleaner.min.cleanable.ratio' }),
  stored('min.compaction.lag.ms', 'long', '0', long(0), 'Shortest time a record stays uncompacted.', { unit: 'ms', brokerSynonym: 'log.cleaner.min.compaction.lag.ms' }),
  applied('min.insync.replicas', 'int', '1', int(1), 'In-sync replicas an acks=all write needs: with fewer, it is refused (NOT_ENOUGH_REPLICAS) or, when the ISR shrank after the append, answered NOT_ENOUGH_REPLICAS_AFTER_APPEND.', { brokerSynonym: 'min.insync.replicas' }),
  stored('preallocate', 'boolean', 'false', bool, 'Preallocate segment files on creation.', { brokerSynonym: 'log.preallocate' }),
  stored('remote.log.copy.disable', 'boolean', 'false', bool, 'Stop copying segments to tiered storage.'),
  stored('remote.log.delete.on.disable', 'boolean', 'false', bool, 'Delete tiered data when tiered storage is turned off.'),
  stored('remote.storage.enable', 'boolean', 'false', onlyFalse, 'Tiered storage for the topic; not available on this broker, so only false is accepted.'),
  applied('retention.bytes', 'long', '-1', long(-1), 'Delete oldest segments while a partition is larger than this (cleanup.policy delete); -1: no limit.', { unit: 'bytes', brokerSynonym: 'log.retention.bytes', fromBrokerConfig: (c) => c.retentionBytes }),
  applied('retention.ms', 'long', '604800000', long(-1), 'Delete segments whose newest record is older than this (cleanup.policy delete); -1: keep forever.', { unit: 'ms', brokerSynonym: 'log.retention.ms', fromBrokerConfig: (c) => c.retentionMs }),
  // Kafka 4 asks for at least 1 MiB; Sluice keeps 1 KiB so tests can roll segments cheaply.
  applied('segment.bytes', 'int', '1073741824', int(1024), 'Roll to a new segment once the active one reaches this size.', { unit: 'bytes', brokerSynonym: 'log.segment.bytes', fromBrokerConfig: (c) => c.segmentBytes }),
  stored('segment.index.bytes', 'int', '10485760', int(4), 'Preallocated offset index size; Sluice index files grow as needed.', { unit: 'bytes', brokerSynonym: 'log.index.size.max.bytes' }),
  stored('segment.jitter.ms', 'long', '0', long(0), 'Random jitter subtracted from segment.ms per segment.', { unit: 'ms', brokerSynonym: 'log.roll.jitter.ms' }),
  applied('segment.ms', 'long', '604800000', long(1), 'Roll to a new segment once the active one is this old.', { unit: 'ms', brokerSynonym: 'log.roll.ms', fromBrokerConfig: (c) => c.segmentMs }),
  stored('unclean.leader.election.enable', 'boolean', 'false', bool, 'Let an out-of-sync replica become leader; a single broker has no other replica.', { brokerSynonym: 'unclean.leader.election.enable' }),
  // Sluice's own.
  applied('flush.policy', 'string', 'group-commit', oneOf(['group-commit', 'interval', 'os']), 'When appends are fsynced: before the ack (group-commit), every flush.interval.ms (interval), or by the OS.', { brokerSynonym: 'flush.policy', fromBrokerConfig: (c) => c.flushPolicy }),
  applied('flush.interval.ms', 'long', '1000', long(1), 'Period of the interval flush policy.', { unit: 'ms', brokerSynonym: 'flush.interval.ms', fromBrokerConfig: (c) => c.flushIntervalMs }),
  applied('dedup.header', 'string', '', text(255), 'Drop records whose value of this header was accepted on the partition within dedup.window.ms; empty: off.'),
  applied('dedup.window.ms', 'long', String(DEFAULT_DEDUP_WINDOW_MS), long(1), 'How long a dedup.header value is remembered.', { unit: 'ms' }),
  applied('delivery.delay.ms', 'long', '0', long(0), 'Share groups deliver a record no earlier than this long after its timestamp (delayed delivery); records behind a delayed one are not held back. 0: at once.', { unit: 'ms' }),
];

/** Every topic config, in name order; all may change at run time, as in Kafka. */
export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = DEFS.map((d) => ({ ...d, dynamic: true })).sort((a, b) => a.name.localeCompare(b.name));

const BY_NAME = new Map(TOPIC_CONFIG_DEFS.map((d) => [d.name, d]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Returns why the first unknown name or bad value is refused, or null. */
export function validateTopicConfigs(configs: TopicConfigs): string | null {
  return firstProblem(configs, topicConfigDef, 'topic');
}

/** The effective value of topic config `name`: the topic's override, else the broker-level default. */
export function topicConfigValue(configs: TopicConfigs, name: string, defaults: TopicDefaults): string {
  return configs[name] ?? defaults.topicDefault(name);
}

function numberOf(configs: TopicConfigs, name: string, defaults: TopicDefaults): number {
  return Number(topicConfigValue(configs, name, defaults));
}

/** The flush policy of a topic: flush.policy if the topic sets it, else what flush.messages / flush.ms ask for, else the broker's. */
function flushOf(configs: TopicConfigs, defaults: TopicDefaults): { flushPolicy: FlushPolicy; flushIntervalMs: number } {
  if (configs['flush.policy'] === undefined) {
    const flushMs = topicConfigValue(configs, 'flush.ms', defaults);
    if (topicConfigValue(configs, 'flush.messages', defaults) === '1' || flushMs === '0') return { flushPolicy: 'group-commit', flushIntervalMs: 1000 };
    if (flushMs !== LONG_MAX) return { flushPolicy: 'interval', flushIntervalMs: Math.min(Number(flushMs), INT_MAX) };
  }
  return {
    flushPolicy: topicConfigValue(configs, 'flush.policy', defaults) as FlushPolicy,
    flushIntervalMs: Math.min(numberOf(configs, 'flush.interval.ms', defaults), INT_MAX),
  };
}

export function logConfigFor(configs: TopicConfigs, defaults: TopicDefaults): LogConfig {
  // As in Kafka, cleanup.policy=compact alone never deletes segments by age or size.
  const deletes = splitList(topicConfigValue(configs, 'cleanup.policy', defaults)).includes('delete');
  return {
    segmentBytes: numberOf(configs, 'segment.bytes', defaults),
    segmentMs: numberOf(configs, 'segment.ms', defaults),
    retentionMs: deletes ? numberOf(configs, 'retention.ms', defaults) : -1,
    retentionBytes: deletes ? numberOf(configs, 'retention.bytes', defaults) : -1,
    deleteRetentionMs: numberOf(configs, 'delete.retention.ms', defaults),
    ...flushOf(configs, defaults),
    indexIntervalBytes: numberOf(configs, 'index.interval.bytes', defaults),
  };
}

/** Whether the topic's cleanup.policy includes compact. */
export function isCompacted(configs: TopicConfigs, defaults: TopicDefaults): boolean {
  return splitList(topicConfigValue(configs, 'cleanup.policy', defaults)).includes('compact');
}

export function maxMessageBytes(configs: TopicConfigs, defaults: TopicDefaults): number {
  return numberOf(configs, 'max.message.bytes', defaults);
}

export function minInsyncReplicas(configs: TopicConfigs, defaults: TopicDefaults): number {
  return numberOf(configs, 'min.insync.replicas', defaults);
}

export function usesLogAppendTime(configs: TopicConfigs, defaults: TopicDefaults): boolean {
  return topicConfigValue(configs, 'message.timestamp.type', defaults) === 'LogAppendTime';
}

const CODEC_BY_NAME: Record<string, Codec> = { uncompressed: Codec.None, gzip: Codec.Gzip, snappy: Codec.Snappy, lz4: Codec.Lz4, zstd: Codec.Zstd };

/**
 * compression.type: the codec the topic stores batches in, with its level where
 * the codec has levels (gzip, zstd), or null for producer (stored as sent).
 */
export function compressionTypeOf(configs: TopicConfigs, defaults: TopicDefaults): { codec: Codec; level?: number } | null {
  const codec = CODEC_BY_NAME[topicConfigValue(configs, 'compression.type', defaults)];
  if (codec === undefined) return null;
  if (codec === Codec.Gzip) return { codec, level: numberOf(configs, 'compression.gzip.level', defaults) };
  if (codec === Codec.Zstd) return { codec, level: numberOf(configs, 'compression.zstd.level', defaults) };
  return { codec };
}

/** A bound in ms from a Java long; Long.MAX_VALUE and anything past 2^53 mean no bound. */
function boundMs(value: string): number {
  const ms = Number(value);
  return ms > Number.MAX_SAFE_INTEGER ? Infinity : ms;
}

/**
 * How far a CreateTime record's timestamp may lie before and after the broker's
 * clock (ms; Infinity: unbounded), or null when nothing is checked: LogAppendTime
 * topics, or both bounds off. The deprecated difference.max.ms, when the topic
 * sets it, stands in for a bound the topic does not set itself.
 */
export function timestampBounds(configs: TopicConfigs, defaults: TopicDefaults): { beforeMs: number; afterMs: number } | null {
  if (usesLogAppendTime(configs, defaults)) return null;
  const difference = configs['message.timestamp.difference.max.ms'];
  const bound = (name: string) => boundMs(configs[name] ?? difference ?? topicConfigValue(configs, name, defaults));
  const beforeMs = bound('message.timestamp.before.max.ms');
  const afterMs = bound('message.timestamp.after.max.ms');
  return beforeMs === Infinity && afterMs === Infinity ? null : { beforeMs, afterMs };
}

/** delivery.delay.ms of a topic: how long after its timestamp a share group may deliver a record (0: at once). */
export function deliveryDelayMs(configs: TopicConfigs): number {
  return Number(configs['delivery.delay.ms'] ?? 0);
}

/** Header deduplication settings, or null when the topic does not set dedup.header. */
export function dedupSettings(configs: TopicConfigs): { headerKey: string; windowMs: number } | null {
  const headerKey = configs['dedup.header'];
  if (!headerKey) return null;
  return { headerKey, windowMs: Number(configs['dedup.window.ms'] ?? DEFAULT_DEDUP_WINDOW_MS) };
}

/** Whether this topic's `follower.replication.throttled.replicas` names the replica of `partition` on broker `nodeId` (or is "*"). */
export function isThrottledReplica(configs: TopicConfigs, partition: number, nodeId: number): boolean {
  const listed = configs['follower.replication.throttled.replicas'];
  if (!listed) return false;
  return listed.trim() === '*' || splitList(listed).includes(`${partition}:${nodeId}`);
}
