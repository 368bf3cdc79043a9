// Where the cluster keeps its state in etcd, every key under the configured
// prefix (clusters sharing one etcd use different prefixes):
//
//   <prefix>/cluster-id                 the cluster id, created once
//   <prefix>/brokers/<id>               a live broker (under its lease)
//   <prefix>/controller                 the controller's id (under its lease)
//   <prefix>/topics/<name>              topic id, partition count, configs
//   <prefix>/topic-creations/<name>     the broker creating the topic now (under its lease)
//   <prefix>/partitions/<name>/<index>  leader, epochs, replicas, ISR
//   <prefix>/broker-configs/<scope>     dynamic broker configs (<default>: cluster-wide)
//   <prefix>/group-configs/<group>      group configs (group id URI-encoded)
//   <prefix>/producer-ids               the next free producer id
//   <prefix>/scram-credentials/<id>     a user's SCRAM credential of one mechanism  } ids named by their stores,
//   <prefix>/acls/<id>                  an ACL binding                              } URI-encoded
//   <prefix>/client-quotas/<id>         one quota of one entity                     }

import type { SharedRecordKind } from './control-plane.js';

/** What a key under the prefix names. */
export type ClusterKey =
  | { kind: 'cluster-id' }
  | { kind: 'broker'; nodeId: number }
  | { kind: 'controller' }
  | { kind: 'topic'; name: string }
  | { kind: 'partition'; topic: string; partition: number }
  | { kind: 'broker-configs'; scope: string }
  | { kind: 'group-configs'; groupId: string }
  | { kind: 'producer-ids' }
  | { kind: 'shared-record'; recordKind: SharedRecordKind; id: string }
  | { kind: 'other' };

const SHARED_RECORD_KINDS: readonly string[] = ['scram-credentials', 'acls', 'client-quotas'] satisfies SharedRecordKind[];

const DEFAULT_SCOPE = '<default>';

export class EtcdKeys {
  /** The prefix with one trailing slash, the range every key lives in. */
  readonly root: string;

  constructor(prefix: string) {
    this.root = `${prefix.replace(/\/+$/, '')}/`;
  }

  clusterId = (): string => `${this.root}cluster-id`;
  broker = (nodeId: number): string => `${this.root}brokers/${nodeId}`;
  controller = (): string => `${this.root}controller`;
  topic = (name: string): string => `${this.root}topics/${name}`;
  topicCreation = (name: string): string => `${this.root}topic-creations/${name}`;
  /** Every partition key of one topic starts with this. */
  partitionsOf = (topic: string): string => `${this.root}partitions/${topic}/`;
  partition = (topic: string, partition: number): string => `${this.partitionsOf(topic)}${partition}`;
  brokerConfigs = (scope: string): string => `${this.root}broker-configs/${scope === '' ? DEFAULT_SCOPE : scope}`;
  groupConfigs = (groupId: string): string => `${this.root}group-configs/${encodeURIComponent(groupId)}`;
  producerIds = (): string => `${this.root}producer-ids`;
  sharedRecord = (kind: SharedRecordKind, id: string): string => `${this.root}${kind}/${encodeURIComponent(id)}`;

  parse(key: string): ClusterKey {
    if (!key.startsWith(this.root)) return { kind: 'other' };
    const parts = key.slice(this.root.length).split('/');
    if (SHARED_RECORD_KINDS.includes(parts[0])) return parts.length === 2 ? { kind: 'shared-record', recordKind: parts[0] as SharedRecordKind, id: decodeURIComponent(parts[1]) } : { kind: 'other' };
    switch (parts[0]) {
      case 'cluster-id':
        return { kind: 'cluster-id' };
      case 'controller':
        return { kind: 'controller' };
      case 'producer-ids':
        return { kind: 'producer-ids' };
      case 'brokers':
        return parts.length === 2 && /^\d+$/.test(parts[1]) ? { kind: 'broker', nodeId: Number(parts[1]) } : { kind: 'other' };
      case 'topics':
        return parts.length === 2 ? { kind: 'topic', name: parts[1] } : { kind: 'other' };
      case 'partitions':
        return parts.length === 3 && /^\d+$/.test(parts[2]) ? { kind: 'partition', topic: parts[1], partition: Number(parts[2]) } : { kind: 'other' };
      case 'broker-configs':
        return parts.length === 2 ? { kind: 'broker-configs', scope: parts[1] === DEFAULT_SCOPE ? '' : parts[1] } : { kind: 'other' };
      case 'group-configs':
        return parts.length === 2 ? { kind: 'group-configs', groupId: decodeURIComponent(parts[1]) } : { kind: 'other' };
      default:
        return { kind: 'other' };
    }
  }
}
