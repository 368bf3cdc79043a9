// A cluster's shared records (SCRAM credentials, ACL bindings, client quotas)
// as a command reaches them without any broker: straight in etcd. It is how
// what must exist before a broker can be asked gets there, the first
// administrator above all (Kafka's `kafka-storage format --add-scram`): with
// the ACL authorizer on and SASL listeners only, no one could create that user
// through a broker. Brokers running meanwhile apply the writes from their
// watch; brokers started later load them. The cluster id is made here when no
// broker has made it yet, as the first broker would.

import { Etcd3 } from 'etcd3';
import { SluiceError } from '../errors.js';
import type { RecordChange, SharedRecordKind, SharedRecords } from './control-plane.js';
import { EtcdKeys } from './etcd-keys.js';
import { createClusterIdOnce, writeSharedRecords } from './etcd-writes.js';

type Listener = { kind: SharedRecordKind; listener: (changes: RecordChange[]) => void };

export class EtcdSharedRecords implements SharedRecords {
  private readonly held = new Map<SharedRecordKind, Map<string, string>>();
  private readonly listeners = new Set<Listener>();

  private constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
  ) {}

  /** Reads the shared records under `prefix`; throws SLUICE_ERR_ETCD when etcd cannot be reached. */
  static async open(endpoints: string[], prefix: string): Promise<EtcdSharedRecords> {
    const client = new Etcd3({ hosts: endpoints, dialTimeout: 5000 });
    try {
      const keys = new EtcdKeys(prefix);
      await createClusterIdOnce(client, keys);
      const records = new EtcdSharedRecords(client, keys);
      for (const kv of (await client.getAll().prefix(keys.root).exec()).kvs) records.hold(kv.key.toString(), kv.value.toString());
      return records;
    } catch (err) {
      client.close();
      throw new SluiceError('SLUICE_ERR_ETCD', `cannot reach the cluster's state in etcd (${endpoints.join(', ')}): ${(err as Error).message}`, {
        cause: err,
        hint: "start etcd or check --etcd; give the brokers' --etcd endpoints and --etcd-prefix",
      });
    }
  }

  records(kind: SharedRecordKind): RecordChange[] {
    return [...(this.held.get(kind) ?? [])].map(([id, value]) => ({ id, value }));
  }

  async writeRecords(kind: SharedRecordKind, changes: RecordChange[]): Promise<void> {
    for await (const _revision of writeSharedRecords(this.client, this.keys, kind, changes));
    const held = this.held.get(kind) ?? new Map<string, string>();
    this.held.set(kind, held);
    for (const { id, value } of changes) {
      if (value === null) held.delete(id);
      else held.set(id, value);
    }
    for (const entry of this.listeners) if (entry.kind === kind) entry.listener(changes);
  }

  onRecords(kind: SharedRecordKind, listener: (changes: RecordChange[]) => void): () => void {
    const entry = { kind, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  close(): void {
    this.client.close();
  }

  private hold(key: string, value: string): void {
    const parsed = this.keys.parse(key);
    if (parsed.kind !== 'shared-record') return;
    const held = this.held.get(parsed.recordKind) ?? new Map<string, string>();
    this.held.set(parsed.recordKind, held);
    held.set(parsed.id, value);
  }
}
