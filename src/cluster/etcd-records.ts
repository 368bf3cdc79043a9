// The JSON values kept under the cluster's etcd keys (etcd-keys.ts), and their
// checked decoding: a value that does not have the expected shape is refused
// rather than half-applied.

import type { ConfigMap } from '../metadata/config-def.js';
import type { TopicConfigs } from '../metadata/topic-configs.js';
import { type ListenerAddress, SECURITY_PROTOCOLS, type SecurityProtocol } from '../listener-config.js';
import type { BrokerInfo, PartitionAssignment } from './control-plane.js';
import { reassigning } from './reassignment.js';

export interface TopicRecord {
  /** 16-byte topic UUID, hex. */
  topicId: string;
  partitions: number;
  configs: TopicConfigs;
}

/** A partition's state without its index (the index is in the key). */
export type PartitionRecord = Omit<PartitionAssignment, 'partition'>;

export interface ControllerRecord {
  nodeId: number;
}

export const encode = (value: unknown): string => JSON.stringify(value);

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isInt);
const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

function parse(text: string, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

export function decodeBroker(text: string): BrokerInfo {
  const v = parse(text, 'broker');
  if (!isInt(v.nodeId) || typeof v.host !== 'string' || !isInt(v.port) || (v.rack !== null && typeof v.rack !== 'string')) throw new Error('broker: bad fields');
  if (typeof v.replicationHost !== 'string' || !isInt(v.replicationPort)) throw new Error('broker: bad replication address');
  const info: BrokerInfo = { nodeId: v.nodeId, host: v.host, port: v.port, rack: v.rack as string | null, replicationHost: v.replicationHost, replicationPort: v.replicationPort };
  // Absent in registrations from before listeners.
  if (v.endpoints !== undefined) info.endpoints = decodeEndpoints(v.endpoints);
  return info;
}

function decodeEndpoints(v: unknown): ListenerAddress[] {
  if (!Array.isArray(v)) throw new Error('broker: bad endpoints');
  return v.map((e: Record<string, unknown>) => {
    if (typeof e !== 'object' || e === null || !SECURITY_PROTOCOLS.includes(e.name as SecurityProtocol) || typeof e.host !== 'string' || !isInt(e.port)) throw new Error('broker: bad endpoint');
    return { name: e.name as SecurityProtocol, host: e.host, port: e.port };
  });
}

export function decodeTopic(text: string): TopicRecord {
  const v = parse(text, 'topic');
  if (typeof v.topicId !== 'string' || !/^[0-9a-f]{32}$/.test(v.topicId) || !isInt(v.partitions) || v.partitions < 0 || !isStringMap(v.configs)) {
    throw new Error('topic: bad fields');
  }
  return { topicId: v.topicId, partitions: v.partitions, configs: v.configs };
}

export function decodePartition(text: string): PartitionRecord {
  const v = parse(text, 'partition');
  if (!isInt(v.leader) || !isInt(v.leaderEpoch) || !isIntList(v.replicas) || !isIntList(v.isr) || !isInt(v.partitionEpoch)) throw new Error('partition: bad fields');
  const record: PartitionRecord = { leader: v.leader, leaderEpoch: v.leaderEpoch, replicas: v.replicas, isr: v.isr, partitionEpoch: v.partitionEpoch };
  // Present only while a reassignment runs.
  if (v.addingReplicas !== undefined || v.removingReplicas !== undefined) {
    if (!isIntList(v.addingReplicas) || !isIntList(v.removingReplicas)) throw new Error('partition: bad reassignment fields');
    record.addingReplicas = v.addingReplicas;
    record.removingReplicas = v.removingReplicas;
  }
  return record;
}

export function decodeController(text: string): ControllerRecord {
  const v = parse(text, 'controller');
  if (!isInt(v.nodeId)) throw new Error('controller: bad fields');
  return { nodeId: v.nodeId };
}

export function decodeConfigs(text: string): ConfigMap {
  const v = parse(text, 'configs');
  if (!isStringMap(v)) throw new Error('configs: not a map of strings');
  return v as ConfigMap;
}

/** The stored form of a partition's state (its index is in the key). */
export function partitionRecord(p: PartitionAssignment): PartitionRecord {
  const record: PartitionRecord = { leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, partitionEpoch: p.partitionEpoch };
  if (reassigning(p)) {
    record.addingReplicas = p.addingReplicas;
    record.removingReplicas = p.removingReplicas;
  }
  return record;
}
