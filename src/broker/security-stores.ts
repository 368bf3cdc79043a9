// The three stores that say who may do what: the users' SCRAM credentials, the
// ACL bindings and the client quotas. A broker alone keeps each in a file of
// its data dir; in a cluster they are the cluster's, kept in the control
// plane (record-backing.ts), and a file a broker had before it joined is not
// read: it is named in a warning, so that its entries can be added again
// through any broker (uploading it could bring back what the cluster removed).

import fs from 'node:fs';
import path from 'node:path';
import type { SharedRecords } from '../cluster/control-plane.js';
import type { Logger } from '../logger.js';
import { ACLS_FILE } from './acl/acl-file.js';
import { AclStore } from './acl/acl-store.js';
import { CLIENT_QUOTAS_FILE, ClientQuotas } from './quota/client-quotas.js';
import { SCRAM_CREDENTIALS_FILE, UserCredentials } from './user-credentials.js';

export interface SecurityStores {
  credentials: UserCredentials;
  clientQuotas: ClientQuotas;
  acls: AclStore;
}

/** The stores of a broker alone (`shared` null: from its data dir) or of its cluster. */
export function openSecurityStores(dataDir: string, shared: SharedRecords | null, log: Logger): SecurityStores {
  if (shared === null) return { credentials: UserCredentials.open(dataDir), clientQuotas: ClientQuotas.open(dataDir), acls: AclStore.open(dataDir) };
  for (const name of [SCRAM_CREDENTIALS_FILE, ACLS_FILE, CLIENT_QUOTAS_FILE]) {
    const file = path.join(dataDir, name);
    if (fs.existsSync(file)) log.warn({ file }, 'not read in a cluster: users, ACL bindings and client quotas are the cluster\'s, kept in etcd; add what this file holds again through any broker, then remove it');
  }
  const onBadRecord = (kind: string, id: string, err: unknown) => log.error({ kind, id, err }, 'ignoring a malformed record in etcd');
  return { credentials: UserCredentials.shared(shared, onBadRecord), clientQuotas: ClientQuotas.shared(shared, onBadRecord), acls: AclStore.shared(shared, onBadRecord) };
}
