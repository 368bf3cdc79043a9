// Admin operations: topics, partitions, configs, offsets, consumer groups, client quotas.
// Group requests go to the group's coordinator (FindCoordinator first).

import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from '../protocol/messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/messages/delete-groups.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from '../protocol/messages/delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/messages/delete-topics.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from '../protocol/messages/describe-configs.js';
import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../protocol/messages/incremental-alter-configs.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/messages/describe-groups.js';
import { ElectLeadersRequest, ElectLeadersResponse } from '../protocol/messages/elect-leaders.js';
import {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../protocol/messages/partition-reassignments.js';
import { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../protocol/messages/describe-transactions.js';
import { ListGroupsRequest, ListGroupsResponse } from '../protocol/messages/list-groups.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import { ListTransactionsRequest, ListTransactionsResponse } from '../protocol/messages/list-transactions.js';
import { CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse, DescribeAclsRequest, DescribeAclsResponse } from '../protocol/messages/acls.js';
import { type AclBinding, type AclBindingFilter, AclOperation, AclPatternType, AclPermissionType, AclResourceType, aclCodeName } from '../protocol/acl-codes.js';
import { AlterClientQuotasRequest, AlterClientQuotasResponse, DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../protocol/messages/client-quotas.js';
import { KafkaError, check } from './client-error.js';
import type { BrokerConnection } from './connection.js';
import { CONSUMER_PROTOCOL_TYPE, type TopicPartitions, decodeAssignment } from '../protocol/consumer-protocol.js';
import { findGroupCoordinator, findTransactionCoordinator } from './find-coordinator.js';
import { type CommittedOffset, type PartitionOffset, SIMPLE_COMMITTER, commitOffsets, fetchCommitted } from './group-offsets.js';
import { KafkaClient, type TopicInfo } from './kafka-client.js';

export const EARLIEST = -2;
export const LATEST = -1;

export interface TopicDescription extends TopicInfo {
  partitionOffsets: { partition: number; leader: number; logStartOffset: number; logEndOffset: number }[];
  configs: ConfigEntry[];
}

export interface ClusterPartition {
  topic: string;
  partition: number;
  /** -1: offline (no live in-sync replica). */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface ClusterDescription {
  clusterId: string | null;
  /** -1 while the cluster has no controller. */
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  partitions: ClusterPartition[];
}

/** One partition's replicas as a reassignment asks for them (null replicas: cancel the one in progress). */
export interface PartitionReassignment {
  topic: string;
  partition: number;
  replicas: number[] | null;
}

/** A reassignment in progress (KIP-455): the replicas now, those being added and those to be removed once the added ones are in sync. */
export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** ElectLeaders' election types (KIP-460). */
export type ElectionType = 'preferred' | 'unclean';

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  /** Empty, PreparingRebalance, CompletingRebalance, Stable, Dead ('' from brokers older than ListGroups v4). */
  state: string;
}

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded for consumer groups once Stable; empty otherwise. */
  assignment: TopicPartitions[];
}

export interface GroupDescription {
  groupId: string;
  /** 'Dead' for a group the coordinator does not know, as Kafka. */
  state: string;
  protocolType: string;
  /** The assignor chosen for the current generation ('' unless Stable). */
  protocol: string;
  members: GroupMember[];
}

export interface TransactionOverview {
  transactionalId: string;
  producerId: number;
  /** Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence, Dead (KIP-664 names). */
  state: string;
}

export interface TransactionDescription extends TransactionOverview {
  producerEpoch: number;
  timeoutMs: number;
  /** When the open transaction began (ms since epoch); -1 when none is open. */
  startTimeMs: number;
  /** The partitions the transaction has written to (or will commit offsets through), sorted. */
  topics: TopicPartitions[];
}

/** A resource whose configs are described and altered: a topic, a broker (its node id, or "" for the cluster-wide default) or a group. */
export interface ConfigResource {
  type: 'topic' | 'broker' | 'group';
  name: string;
}

const RESOURCE_TYPE_CODE = { topic: 2, broker: 4, group: 32 } as const;

/** Kafka's ConfigSource names by code, as kafka-configs and rpk print them. */
const CONFIG_SOURCE_NAMES = ['UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG'];

export interface ConfigEntry {
  name: string;
  value: string | null;
  /** Kafka's ConfigSource name: DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG, ... */
  source: string;
  isDefault: boolean;
  readOnly: boolean;
}

/** IncrementalAlterConfigs changes of one resource (KIP-339): set, delete, or add to / remove from list values. */
export interface ConfigChanges {
  set?: Record<string, string>;
  delete?: string[];
  append?: Record<string, string>;
  subtract?: Record<string, string>;
}

/** A new topic; what is left out takes the broker's defaults (`num.partitions`, `default.replication.factor`). */
export interface NewTopicOptions {
  partitions?: number;
  replicationFactor?: number;
  /** Topic configs by Kafka name, e.g. `{ 'retention.ms': '604800000' }`. */
  config?: Record<string, string>;
}

/** A client quota entity by its parts, e.g. `{ user: 'alice', 'client-id': null }`: a part's null name is the default (<default>). */
export type ClientQuotaEntity = Record<string, string | null>;

/** A DescribeClientQuotas filter component: the entity must have `entityType`, named `match` (exact), the default, or anything. */
export interface ClientQuotaFilter {
  entityType: string;
  matchType: 'exact' | 'default' | 'any';
  /** The name to match, with `exact`. */
  match?: string;
}

/** Quota values to set on an entity and keys to remove from it (Kafka's keys: producer_byte_rate, consumer_byte_rate, request_percentage, connection_creation_rate). */
export interface ClientQuotaAlteration {
  entity: ClientQuotaEntity;
  set?: Record<string, number>;
  remove?: string[];
}

const MATCH_TYPE_CODE = { exact: 0, default: 1, any: 2 } as const;

const entityParts = (entity: ClientQuotaEntity) => Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName }));
const entityFrom = (parts: Message[]): ClientQuotaEntity => Object.fromEntries(parts.map((p) => [p.entityType, p.entityName]));
const describeEntity = (entity: ClientQuotaEntity) =>
  Object.entries(entity)
    .map(([type, name]) => `${type} ${name === null ? '<default>' : `'${name}'`}`)
    .join(', ');

/** A DescribeAcls request or a DeleteAcls filter. */
const filterMessage = (f: AclBindingFilter): Message => ({
  resourceTypeFilter: f.resourceType,
  resourceNameFilter: f.resourceName,
  patternTypeFilter: f.patternType,
  principalFilter: f.principal,
  hostFilter: f.host,
  operation: f.operation,
  permissionType: f.permissionType,
});

/** `ALLOW User:alice@* READ on TOPIC LITERAL 'orders'`, for errors. */
const describeBinding = (b: AclBinding) =>
  `${aclCodeName(AclPermissionType, b.permissionType)} ${b.principal}@${b.host} ${aclCodeName(AclOperation, b.operation)} on ${aclCodeName(AclResourceType, b.resourceType)} ${aclCodeName(AclPatternType, b.patternType)} '${b.resourceName}'`;

export class Admin {
  constructor(readonly client: KafkaClient) {}

  // ---- ACL bindings ------------------------------------------------------------------------------

  /** Creates ACL bindings (one the broker holds already is no error); throws KafkaError naming the first it refused, the others created. */
  async createAcls(bindings: AclBinding[]): Promise<void> {
    const creations = bindings.map(({ patternType, ...b }) => ({ ...b, resourcePatternType: patternType }));
    const res = await this.client.send({ request: CreateAclsRequest, response: CreateAclsResponse }, { creations });
    res.results.forEach((r: Message, i: number) => check(r.errorCode, r.errorMessage, `create ACL binding ${describeBinding(bindings[i])}`));
  }

  /** The ACL bindings `filter` matches (Kafka's AclBindingFilter: null and ANY match anything, MATCH what applies to the named resource). */
  async describeAcls(filter: AclBindingFilter): Promise<AclBinding[]> {
    const res = await this.client.send({ request: DescribeAclsRequest, response: DescribeAclsResponse }, filterMessage(filter));
    check(res.errorCode, res.errorMessage, 'describe ACL bindings');
    return res.resources.flatMap((r: Message) =>
      r.acls.map((a: Message) => ({ resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType, principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType })),
    );
  }

  /** Deletes the ACL bindings each filter matches; returns, per filter, those it deleted. Throws KafkaError for a filter the broker refused. */
  async deleteAcls(filters: AclBindingFilter[]): Promise<AclBinding[][]> {
    const res = await this.client.send({ request: DeleteAclsRequest, response: DeleteAclsResponse }, { filters: filters.map(filterMessage) });
    return res.filterResults.map((r: Message) => {
      check(r.errorCode, r.errorMessage, 'delete ACL bindings');
      return r.matchingAcls.map(({ errorCode, errorMessage, ...b }: Message) => {
        check(errorCode, errorMessage, `delete ACL binding ${describeBinding(b as AclBinding)}`);
        return b as AclBinding;
      });
    });
  }

  /** The client quotas whose entities match every component (and, if `strict`, have no other part). */
  async describeClientQuotas(components: ClientQuotaFilter[], strict = false): Promise<{ entity: ClientQuotaEntity; values: Record<string, number> }[]> {
    const res = await (await this.client.any('admin')).send(
      { request: DescribeClientQuotasRequest, response: DescribeClientQuotasResponse },
      { components: components.map((c) => ({ entityType: c.entityType, matchType: MATCH_TYPE_CODE[c.matchType], match: c.match ?? null })), strict },
    );
    check(res.errorCode, res.errorMessage, 'describe client quotas');
    return (res.entries as Message[]).map((e) => ({ entity: entityFrom(e.entity), values: Object.fromEntries(e.values.map((v: Message) => [v.key, v.value])) }));
  }

  /** Sets and removes client quotas; throws the first entry's error (entries without one are applied, unless `validateOnly`). */
  async alterClientQuotas(alterations: ClientQuotaAlteration[], validateOnly = false): Promise<void> {
    const entries = alterations.map((a) => ({
      entity: entityParts(a.entity),
      ops: [...Object.entries(a.set ?? {}).map(([key, value]) => ({ key, value, remove: false })), ...(a.remove ?? []).map((key) => ({ key, value: 0, remove: true }))],
    }));
    const res = await (await this.client.any('admin')).send({ request: AlterClientQuotasRequest, response: AlterClientQuotasResponse }, { entries, validateOnly });
    for (const e of res.entries as Message[]) check(e.errorCode, e.errorMessage, `alter client quotas of ${describeEntity(entityFrom(e.entity))}`);
  }

  /** Creates a topic: `createTopic(name, 6, { 'retention.ms': '...' })` or `createTopic(name, { partitions: 6, config: { ... } })`. */
  async createTopic(name: string, partitions: number | NewTopicOptions, configs: Record<string, string> = {}): Promise<void> {
    const spec = typeof partitions === 'number' ? { partitions, config: configs } : partitions;
    const res = await this.client.send(
      { request: CreateTopicsRequest, response: CreateTopicsResponse },
      {
        topics: [
          {
            name,
            numPartitions: spec.partitions ?? -1,
            replicationFactor: spec.replicationFactor ?? -1,
            assignments: [],
            configs: Object.entries(spec.config ?? {}).map(([n, value]) => ({ name: n, value })),
          },
        ],
        timeoutMs: 30000,
        validateOnly: false,
      },
    );
    const t = res.topics[0];
    check(t.errorCode, t.errorMessage, `create topic '${name}'`);
  }

  async deleteTopic(name: string): Promise<void> {
    const res = await this.client.send(
      { request: DeleteTopicsRequest, response: DeleteTopicsResponse },
      { topics: [{ name, topicId: undefined }], topicNames: [name], timeoutMs: 30000 },
    );
    const t = res.responses[0];
    check(t.errorCode, t.errorMessage, `delete topic '${name}'`);
  }

  async listTopics(): Promise<TopicInfo[]> {
    const md = await this.client.metadata(null);
    return md.topics
      .map((t) => ({
        name: t.name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p: Message) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async createPartitions(name: string, total: number): Promise<void> {
    const res = await this.client.send(
      { request: CreatePartitionsRequest, response: CreatePartitionsResponse },
      { topics: [{ name, count: total, assignments: null }], timeoutMs: 30000, validateOnly: false },
    );
    check(res.results[0].errorCode, res.results[0].errorMessage, `create partitions of '${name}'`);
  }

  /**
   * Offsets of each partition for `timestamp` (EARLIEST, LATEST, or ms since epoch; -1 offset when none),
   * asked of each partition's leader.
   */
  async listOffsets(topic: string, partitions: number[], timestamp: number): Promise<Map<number, { offset: number; timestamp: number }>> {
    const out = new Map<number, { offset: number; timestamp: number }>();
    await this.byLeader(topic, partitions, async (connection, ids) => {
      const res = await connection.send(
        { request: ListOffsetsRequest, response: ListOffsetsResponse },
        { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: ids.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) }] },
      );
      for (const p of res.topics[0]?.partitions ?? []) {
        check(p.errorCode, null, `list offsets of ${topic}-${p.partitionIndex}`);
        out.set(p.partitionIndex, { offset: p.offset, timestamp: p.timestamp });
      }
    });
    return out;
  }

  /** Runs `ask` once per leader of `partitions` of `topic` (a leader unknown to the metadata: any broker, which names the error). */
  private async byLeader(topic: string, partitions: number[], ask: (connection: BrokerConnection, partitions: number[]) => Promise<void>): Promise<void> {
    const info = await this.client.topic(topic);
    const leaders = new Map<number, number[]>();
    for (const id of partitions) {
      const leader = info.partitions.find((p) => p.partition === id)?.leader ?? -1;
      leaders.set(leader, [...(leaders.get(leader) ?? []), id]);
    }
    await Promise.all([...leaders].map(async ([leader, ids]) => ask(await this.client.node(leader, 'admin'), ids)));
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    const info = await this.client.topic(name);
    const ids = info.partitions.map((p) => p.partition);
    const [earliest, latest, configs] = await Promise.all([this.listOffsets(name, ids, EARLIEST), this.listOffsets(name, ids, LATEST), this.describeConfigs(name)]);
    return {
      ...info,
      partitionOffsets: info.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        logStartOffset: earliest.get(p.partition)?.offset ?? -1,
        logEndOffset: latest.get(p.partition)?.offset ?? -1,
      })),
      configs,
    };
  }

  /** Every config of a resource with its effective value and where it comes from; a bare name means a topic. */
  async describeConfigs(resource: ConfigResource | string): Promise<ConfigEntry[]> {
    const { type, name } = typeof resource === 'string' ? { type: 'topic' as const, name: resource } : resource;
    const res = await (await this.answeringBroker({ type, name })).send(
      { request: DescribeConfigsRequest, response: DescribeConfigsResponse },
      { resources: [{ resourceType: RESOURCE_TYPE_CODE[type], resourceName: name, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false },
    );
    const r = res.results[0];
    check(r.errorCode, r.errorMessage, `describe configs of ${type} '${name}'`);
    return r.configs.map((c: Message) => {
      const source = CONFIG_SOURCE_NAMES[c.configSource] ?? (c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN');
      return { name: c.name, value: c.value, source, isDefault: source === 'DEFAULT_CONFIG', readOnly: c.readOnly };
    });
  }

  /** A broker's own configs are asked of that broker (as Kafka's admin does); the others of any broker. */
  private async answeringBroker(resource: ConfigResource): Promise<BrokerConnection> {
    if (resource.type === 'broker' && resource.name !== '') {
      await this.client.metadata([]);
      return this.client.node(Number(resource.name), 'admin');
    }
    return this.client.any('admin');
  }

  /** Changes single configs of a resource with IncrementalAlterConfigs; the broker validates and applies them at once. */
  async alterConfigs(resource: ConfigResource, changes: ConfigChanges, validateOnly = false): Promise<void> {
    const ops = (entries: Record<string, string> | undefined, configOperation: number) => Object.entries(entries ?? {}).map(([name, value]) => ({ name, configOperation, value }));
    const configs = [
      ...ops(changes.set, 0),
      ...(changes.delete ?? []).map((name) => ({ name, configOperation: 1, value: null })),
      ...ops(changes.append, 2),
      ...ops(changes.subtract, 3),
    ];
    const res = await (await this.answeringBroker(resource)).send(
      { request: IncrementalAlterConfigsRequest, response: IncrementalAlterConfigsResponse },
      { resources: [{ resourceType: RESOURCE_TYPE_CODE[resource.type], resourceName: resource.name, configs }], validateOnly },
    );
    const r = res.responses[0];
    check(r.errorCode, r.errorMessage, `alter configs of ${resource.type} '${resource.name}'`);
  }

  async deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<number> {
    let lowWatermark = -1;
    await this.byLeader(topic, [partition], async (connection) => {
      const res = await connection.send(
        { request: DeleteRecordsRequest, response: DeleteRecordsResponse },
        { topics: [{ name: topic, partitions: [{ partitionIndex: partition, offset: beforeOffset }] }], timeoutMs: 30000 },
      );
      const p = res.topics[0].partitions[0];
      check(p.errorCode, null, `delete records of ${topic}-${partition}`);
      lowWatermark = p.lowWatermark;
    });
    return lowWatermark;
  }

  /**
   * The cluster as Metadata shows it: brokers, controller, and every partition
   * (internal topics included) with its leader, replicas and in-sync replicas.
   */
  async describeCluster(): Promise<ClusterDescription> {
    const md = await this.client.metadata(null);
    const partitions: ClusterPartition[] = [];
    for (const t of md.topics) {
      for (const p of t.partitions) {
        partitions.push({ topic: t.name, partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes });
      }
    }
    partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return {
      clusterId: md.clusterId,
      controllerId: md.controllerId,
      brokers: md.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })).sort((a, b) => a.nodeId - b.nodeId),
      partitions,
    };
  }

  // ---- replicas and leaders ---------------------------------------------------------------------

  /** Starts (or cancels) reassignments; throws KafkaError naming the first partition refused. */
  async alterPartitionReassignments(reassignments: PartitionReassignment[]): Promise<void> {
    const topics = new Map<string, { partitionIndex: number; replicas: number[] | null }[]>();
    for (const r of reassignments) topics.set(r.topic, [...(topics.get(r.topic) ?? []), { partitionIndex: r.partition, replicas: r.replicas }]);
    const res = await this.client.send(
      { request: AlterPartitionReassignmentsRequest, response: AlterPartitionReassignmentsResponse },
      { timeoutMs: 30000, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) },
    );
    check(res.errorCode, res.errorMessage, 'alter partition reassignments');
    for (const t of res.responses) for (const p of t.partitions) check(p.errorCode, p.errorMessage, `reassign ${t.name}-${p.partitionIndex}`);
  }

  /** The reassignments in progress (all, or of `topics`' partitions). */
  async listPartitionReassignments(topics: TopicPartitions[] | null = null): Promise<OngoingReassignment[]> {
    const res = await this.client.send(
      { request: ListPartitionReassignmentsRequest, response: ListPartitionReassignmentsResponse },
      { timeoutMs: 30000, topics: topics && topics.map((t) => ({ name: t.topic, partitionIndexes: t.partitions })) },
    );
    check(res.errorCode, res.errorMessage, 'list partition reassignments');
    return res.topics.flatMap((t: Message) =>
      t.partitions.map((p: Message) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas })),
    );
  }

  /**
   * Elects leaders (the preferred replica, or with 'unclean' any live replica
   * of a partition without one) of `partitions` (null: every partition);
   * returns each partition's error code (ELECTION_NOT_NEEDED when it already has the leader asked for).
   */
  async electLeaders(type: ElectionType, partitions: TopicPartitions[] | null): Promise<{ topic: string; partition: number; errorCode: number; errorMessage: string | null }[]> {
    const res = await this.client.send(
      { request: ElectLeadersRequest, response: ElectLeadersResponse },
      { electionType: type === 'preferred' ? 0 : 1, topicPartitions: partitions && partitions.map((t) => ({ topic: t.topic, partitions: t.partitions })), timeoutMs: 30000 },
    );
    check(res.errorCode ?? 0, null, 'elect leaders');
    return res.replicaElectionResults.flatMap((t: Message) =>
      t.partitionResult.map((p: Message) => ({ topic: t.topic, partition: p.partitionId, errorCode: p.errorCode, errorMessage: p.errorMessage })),
    );
  }

  // ---- consumer groups -------------------------------------------------------------------------

  /** The connection to the coordinator of `groupId`. */
  async coordinatorOf(groupId: string): Promise<BrokerConnection> {
    const c = await findGroupCoordinator(this.client, groupId);
    return this.client.connect(c.host, c.port);
  }

  /** Every group of every broker, sorted by id. */
  async listGroups(): Promise<GroupOverview[]> {
    const md = await this.client.metadata([]);
    const answers = await Promise.all(
      md.brokers.map(async (b) => {
        const res = await (await this.client.connect(b.host, b.port)).send({ request: ListGroupsRequest, response: ListGroupsResponse }, { statesFilter: [] });
        check(res.errorCode, null, `list groups of broker ${b.nodeId}`);
        return res.groups as Message[];
      }),
    );
    return answers
      .flat()
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState }))
      .sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  /** Members, state and (for consumer groups) each member's assigned partitions, in the order asked. */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(groupIds.map((id) => this.describeGroup(id)));
  }

  private async describeGroup(groupId: string): Promise<GroupDescription> {
    const conn = await this.coordinatorOf(groupId);
    const res = await conn.send({ request: DescribeGroupsRequest, response: DescribeGroupsResponse }, { groups: [groupId], includeAuthorizedOperations: false });
    const g: Message | undefined = res.groups[0];
    if (!g) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'no answer for the group', `describe group '${groupId}'`);
    check(g.errorCode, null, `describe group '${groupId}'`);
    return {
      groupId,
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      members: (g.members as Message[]).map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: g.protocolType === CONSUMER_PROTOCOL_TYPE ? assignmentOf(m.memberAssignment) : [],
      })),
    };
  }

  /** Committed offsets of `groupId`: for `topics`, or every one it has when omitted. */
  async fetchOffsets(groupId: string, topics: TopicPartitions[] | null = null): Promise<CommittedOffset[]> {
    return fetchCommitted(await this.coordinatorOf(groupId), groupId, topics);
  }

  /**
   * Commits `offsets` for a group without members (generation -1, no member
   * id: Kafka's "simple" commit), as offset resets do. A group with members
   * refuses with UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS, thrown as KafkaError.
   */
  async commitOffsets(groupId: string, offsets: PartitionOffset[]): Promise<void> {
    const codes = await commitOffsets(await this.coordinatorOf(groupId), groupId, SIMPLE_COMMITTER, offsets);
    codes.forEach((code, i) => check(code, null, `commit offset of ${offsets[i].topic}-${offsets[i].partition} for group '${groupId}'`));
  }

  // ---- transactions ----------------------------------------------------------------------------

  /** Every transactional id every broker coordinates, sorted by id (ListTransactions, KIP-664). */
  async listTransactions(): Promise<TransactionOverview[]> {
    const md = await this.client.metadata([]);
    const answers = await Promise.all(
      md.brokers.map(async (b) => {
        const conn = await this.client.connect(b.host, b.port);
        const res = await conn.send({ request: ListTransactionsRequest, response: ListTransactionsResponse }, { stateFilters: [], producerIdFilters: [] });
        check(res.errorCode, null, `list transactions of broker ${b.nodeId}`);
        return res.transactionStates as Message[];
      }),
    );
    return answers
      .flat()
      .map((t) => ({ transactionalId: t.transactionalId, producerId: Number(t.producerId), state: t.transactionState }))
      .sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
  }

  /** State, producer id and epoch, timeout and partitions of each id, from its coordinator, in the order asked. */
  async describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return Promise.all(transactionalIds.map((id) => this.describeTransaction(id)));
  }

  private async describeTransaction(transactionalId: string): Promise<TransactionDescription> {
    const c = await findTransactionCoordinator(this.client, transactionalId);
    const conn = await this.client.connect(c.host, c.port);
    const res = await conn.send({ request: DescribeTransactionsRequest, response: DescribeTransactionsResponse }, { transactionalIds: [transactionalId] });
    const d: Message | undefined = res.transactionStates[0];
    if (!d) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'no answer for the transactional id', `describe transaction '${transactionalId}'`);
    check(d.errorCode, null, `describe transaction '${transactionalId}'`);
    return {
      transactionalId,
      producerId: Number(d.producerId),
      producerEpoch: d.producerEpoch,
      state: d.transactionState,
      timeoutMs: d.transactionTimeoutMs,
      startTimeMs: Number(d.transactionStartTimeMs),
      topics: (d.topics as Message[])
        .map((t) => ({ topic: t.topic as string, partitions: [...(t.partitions as number[])].sort((x, y) => x - y) }))
        .sort((x, y) => x.topic.localeCompare(y.topic)),
    };
  }

  /** Deletes empty groups with their offsets; one error code per group (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, ...). */
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        const res = await (await this.coordinatorOf(groupId)).send({ request: DeleteGroupsRequest, response: DeleteGroupsResponse }, { groupsNames: [groupId] });
        const r = (res.results as Message[]).find((x) => x.groupId === groupId);
        return { groupId, errorCode: r ? r.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR };
      }),
    );
  }
}

/** A member's assignment; bytes that do not parse as the consumer protocol show as no partitions. */
function assignmentOf(bytes: Buffer | null): TopicPartitions[] {
  try {
    return bytes ? decodeAssignment(bytes).partitions : [];
  } catch {
    return [];
  }
}
