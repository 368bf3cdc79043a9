// What every API handler file exports. Handlers translate between protocol
// messages and broker calls; the broker decides.

import type { BufferPool } from '../../protocol/buffer-pool.js';
import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { GroupCoordinator } from '../../coordinator/group/group-coordinator.js';
import type { ShareCoordinator } from '../../coordinator/share/share-coordinator.js';
import type { TransactionCoordinator } from '../../coordinator/txn/transaction-coordinator.js';
import type { ProducerIdManager } from '../../broker/producer-ids.js';
import type { Logger } from '../../logger.js';
import type { Message } from '../../protocol/codec.js';
import type { MessageSchema } from '../../protocol/schema.js';
import type { SecurityProtocol } from '../../listener-config.js';
import type { Principal } from '../principal.js';
import type { SaslSession } from '../sasl/sasl-session.js';
import type { UserCredentials } from '../../broker/user-credentials.js';
import type { ClientQuotaManager } from '../../broker/quota/client-quota-manager.js';
import type { AclStore } from '../../broker/acl/acl-store.js';
import type { Authorizer } from '../../broker/acl/authorizer.js';

/** What requests are served with: the broker and its coordinators. */
export interface BrokerServices {
  broker: Broker;
  /** Consumer groups and committed offsets. */
  groups: GroupCoordinator;
  /** Transactions (src/coordinator/txn). */
  txns: TransactionCoordinator;
  /** Share groups: queues (src/coordinator/share). */
  shares: ShareCoordinator;
  /** Producer ids for idempotent producers (InitProducerId without a transactional id). */
  producerIds: ProducerIdManager;
  /** Users' SCRAM credentials (SASL logins, Describe/AlterUserScramCredentials). */
  credentials: UserCredentials;
  /** Client quotas and their enforcement (Describe/AlterClientQuotas, throttling). */
  quotas: ClientQuotaManager;
  /** ACL bindings (Create/Describe/DeleteAcls; what the authorizer reads). */
  acls: AclStore;
  /** Whether a principal may perform an operation on a resource (authorize.ts); every handler asks. */
  authorizer: Authorizer;
}

export interface RequestContext extends BrokerServices {
  config: BrokerConfig;
  log: Logger;
  apiVersion: number;
  clientId: string | null;
  /** Host name or address of the client, as seen by the server. */
  clientHost: string;
  /** The listener the request came in on: Metadata gives brokers' endpoints of that listener. */
  listener: SecurityProtocol;
  /** Who the connection acts as (principal.ts); what an authorizer is asked about. */
  principal: Principal;
  /** The connection's SASL exchange on a SASL listener (SaslHandshake, SaslAuthenticate); null elsewhere. */
  sasl: SaslSession | null;
  /** Aborted when the client's connection closes (state tied to the connection, such as share sessions, is let go). */
  connectionClosed: AbortSignal;
  /** The listener's pool: a Fetch reads into it, and its answer's blocks go back once written. */
  buffers: BufferPool;
}

export interface ApiHandler {
  apiKey: number;
  /** Lowest and highest version this broker serves and advertises. */
  minVersion: number;
  maxVersion: number;
  request: MessageSchema;
  response: MessageSchema;
  /**
   * The most response bytes this request may come to, where that can be large
   * (Fetch); counted against connectionMaxBufferedResponseBytes while it is in
   * flight. Absent: the response is small.
   */
  responseBytesBound?(req: Message, config: BrokerConfig): number;
  /** Returns the response body, or null when the request gets no response (acks=0 produce). */
  handle(req: Message, ctx: RequestContext): Promise<Message | null> | Message | null;
}
