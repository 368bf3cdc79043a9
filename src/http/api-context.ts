// What the HTTP API's routes work on: the broker's partitions and topics, the
// group and share coordinators, the start-up options, the logger. Routes only translate between HTTP
// and these; the broker and the coordinators decide.

import type { Authorizer } from '../broker/acl/authorizer.js';
import type { Broker } from '../broker/broker.js';
import type { UserCredentials } from '../broker/user-credentials.js';
import type { StatsHistory } from '../broker/stats-history.js';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config.js';
import type { GroupCoordinator } from '../coordinator/group/group-coordinator.js';
import type { ShareCoordinator } from '../coordinator/share/share-coordinator.js';
import type { Logger } from '../logger.js';
import type { ClientQuotaManager } from '../broker/quota/client-quota-manager.js';
import type { AclStore } from '../broker/acl/acl-store.js';

export interface HttpApiContext {
  broker: Broker;
  groups: GroupCoordinator;
  shares: ShareCoordinator;
  /** The share groups' clock: the queue routes' member heartbeats on it. */
  shareClock: Clock;
  config: BrokerConfig;
  /** The SASL users' SCRAM credentials, which --http-auth basic checks passwords against. */
  credentials: UserCredentials;
  /** Kafka client connections open now. */
  openConnections(): number;
  /** Kafka client connections closed at once, by the limit they passed. */
  refusedConnections: ReadonlyMap<string, number>;
  /** What each request's principal may do (route-acls.ts), as on the Kafka listeners. */
  authorizer: Authorizer;
  /** Client quotas: the throttles they demanded. */
  quotas: ClientQuotaManager;
  /** ACL bindings: how many there are, for the metrics. */
  acls: AclStore;
  /** The last hour of traffic and group lag, sampled while the HTTP API runs. */
  history: StatsHistory;
  /** The broker's logger; the routes log under module "http". */
  log: Logger;
}
