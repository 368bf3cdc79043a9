// Writes to etcd that are decided on what was read: a put (or delete) that
// applies only if the key still has the mod revision read ("0": absent), and
// a read-modify-write loop built on it.

import type { Etcd3 } from 'etcd3';

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
