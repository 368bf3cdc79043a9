// Writes to etcd that are decided on what was read: a put (or delete) that
// applies only if the key still has the mod revision read ("0": absent), and
// a read-modify-write loop built on it; the cluster id, created by whoever
// comes first; the shared records, written only under a cluster that is there.

import type { Etcd3 } from 'etcd3';
import type { RecordChange, SharedRecordKind } from './control-plane.js';
import type { EtcdKeys } from './etcd-keys.js';
import { newClusterId } from './new-ids.js';

/** Keys written per etcd transaction (etcd's default limit is 128 operations). */
export const KEYS_PER_TXN = 100;

/** Puts `value` (null: deletes) if `key` still has `modRevision`; the revision written, or null when the key changed. */
export async function compareAndSet(client: Etcd3, key: string, modRevision: string, value: string | null, leaseId?: string): Promise<bigint | null> {
  const write = value === null ? client.delete().key(key) : leaseId ? client.put(key).value(value).lease(leaseId) : client.put(key).value(value);
  const txn = await client.if(key, 'Mod', '==', modRevision).then(write).commit();
  return txn.succeeded ? BigInt(txn.header.revision) : null;
}

/**
 * Reads `key`, asks `update` for its next value (undefined: leave it and stop)
 * and writes it if the key did not change meanwhile, else reads again. Returns
 * the revision written, or null when `update` declined.
 */
export async function updateKey(client: Etcd3, key: string, update: (current: string | null) => string | null | undefined): Promise<bigint | null> {
  for (;;) {
    const res = await client.get(key).exec();
    const kv = res.kvs[0];
    const next = update(kv ? kv.value.toString() : null);
    if (next === undefined) return null;
    const written = await compareAndSet(client, key, kv ? kv.mod_revision : '0', next);
    if (written !== null) return written;
  }
}

/** The cluster's id under `keys`' prefix; made now when there is none yet. */
export async function createClusterIdOnce(client: Etcd3, keys: EtcdKeys): Promise<string> {
  await compareAndSet(client, keys.clusterId(), '0', newClusterId());
  return (await client.get(keys.clusterId()).string()) as string;
}

/**
 * Writes shared records of `kind`, one key each (a null value deletes it), the
 * last change of an id standing; yields the revision of each transaction.
 */
export async function* writeSharedRecords(client: Etcd3, keys: EtcdKeys, kind: SharedRecordKind, changes: RecordChange[]): AsyncGenerator<bigint> {
  const last = [...new Map(changes.map((c) => [c.id, c])).values()];
  for (let from = 0; from < last.length; from += KEYS_PER_TXN) {
    const writes = last.slice(from, from + KEYS_PER_TXN).map(({ id, value }) => {
      const key = keys.sharedRecord(kind, id);
      return value === null ? client.delete().key(key) : client.put(key).value(value);
    });
    // A transaction needs a comparison: the cluster id's, there as long as the cluster is.
    const txn = await client.if(keys.clusterId(), 'Create', '>', 0).then(...writes).commit();
    if (!txn.succeeded) throw new Error(`${keys.clusterId()} is gone from etcd: nothing is written under a cluster that is not there`);
    yield BigInt(txn.header.revision);
  }
}
