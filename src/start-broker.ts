// Starts a whole broker in this process: control plane, partitions, listener.
// Used by `sluice serve` and by applications and tests that embed Sluice.

import { Broker } from './broker/broker.js';
import { StatsHistory } from './broker/stats-history.js';
import { ProducerIdManager } from './broker/producer-ids.js';
import { type SecurityStores, openSecurityStores } from './broker/security-stores.js';
import type { AclStore } from './broker/acl/acl-store.js';
import { AclAuthorizer, allowEverything } from './broker/acl/authorizer.js';
import { ClientQuotaManager } from './broker/quota/client-quota-manager.js';
import { advertisedEndpoints, brokerSelf, primaryListener } from './cluster/broker-self.js';
import type { BrokerInfo, ControlPlane } from './cluster/control-plane.js';
import { EtcdControlPlane } from './cluster/etcd-control-plane.js';
import { LocalControlPlane } from './cluster/local-control-plane.js';
import { type BrokerConfig, resolveConfig } from './config.js';
import { type Clock, backgroundClock, systemClock } from './clock.js';
import { GroupCoordinator } from './coordinator/group/group-coordinator.js';
import { ShareCoordinator } from './coordinator/share/share-coordinator.js';
import { brokerStatsSources } from './coordinator/stats-sources.js';
import { TransactionCoordinator } from './coordinator/txn/transaction-coordinator.js';
import { type Logger, createLogger } from './logger.js';
import type { RunningHttpApi } from './http/server.js';
import { KafkaListener } from './server/kafka-listener.js';
import { type FaultHooks, FaultInjector } from './server/fault-hook.js';
import { type ListenerAddress, formatListeners } from './listener-config.js';

export interface RunningBroker {
  /** The port the primary Kafka listener bound (useful with port 0): the first PLAINTEXT listener, else the first. */
  port: number;
  host: string;
  /** "host:port" of the primary listener for clients. */
  bootstrap: string;
  /** Every Kafka listener as advertised to clients, with the ports bound. */
  listeners: ListenerAddress[];
  /** The port of the HTTP API, or null when it is off (httpPort 0). */
  httpPort: number | null;
  config: BrokerConfig;
  broker: Broker;
  /** Consumer groups and committed offsets. */
  groups: GroupCoordinator;
  /** Transactions. */
  txns: TransactionCoordinator;
  /** Share groups (queues). */
  shares: ShareCoordinator;
  /** Client quotas and their enforcement. */
  quotas: ClientQuotaManager;
  /** ACL bindings. */
  acls: AclStore;
  /** Stops accepting connections, flushes and closes every log. */
  close(): Promise<void>;
}

export type StartOptions = Partial<Omit<BrokerConfig, 'listeners' | 'advertisedListeners'>> & {
  /** Kafka's form, `SSL://0.0.0.0:9093,...`, or parsed. */
  listeners?: string | ListenerAddress[];
  advertisedListeners?: string | ListenerAddress[];
  logger?: Logger;
  /** TEST-ONLY: lose chosen acknowledgements, fail chosen requests (src/server/fault-hook.ts). Never set it in production. */
  faults?: FaultHooks;
  /** The control plane to join instead of the data directory's single-node one (several brokers of one process sharing one state). */
  controlPlane?: (self: BrokerInfo) => ControlPlane;
  /** The broker's clock for replica progress, the ISR check and SASL session lifetimes (tests drive a fake one). */
  clock?: Clock;
  /** The share groups' clock (record locks, member sessions, long-poll waits) and the HTTP API's queue members' (tests drive a fake one). */
  shareClock?: Clock;
  /** The clock the HTTP API's stats history samples on (tests drive a fake one to make points at once). */
  statsClock?: Clock;
  /** The client quotas' clock: their sampled rates and the throttles they put connections under. */
  quotaClock?: Clock;
};

export async function startBroker(options: StartOptions = {}): Promise<RunningBroker> {
  const { logger, faults, controlPlane, clock, shareClock = systemClock, statsClock = backgroundClock, quotaClock = backgroundClock, ...overrides } = options;
  const requested = resolveConfig(overrides);
  const log = logger ?? createLogger(requested.logLevel);
  const kafka = new KafkaListener(requested, log, faults ? new FaultInjector(faults) : null, clock);
  const listening = await kafka.listen().catch(async (err: unknown) => {
    await kafka.close();
    throw err;
  });
  const endpoints = advertisedEndpoints(requested, listening);
  const primary = primaryListener(listening);
  const bound = primary.port;
  // From here on the config names the ports bound.
  const config = { ...requested, port: bound, listeners: listening, advertisedListeners: endpoints };
  const bootstrap = `${primary.host || config.host}:${bound}`;
  let cluster: ControlPlane | null = null;
  let producerIds: ProducerIdManager;
  let stores: SecurityStores;
  try {
    // Opened once the listener is bound, so that the registered port is the real one.
    const self = brokerSelf(config, endpoints);
    if (config.etcd.length > 0) {
      const plane = await EtcdControlPlane.open(config, self, log);
      cluster = plane;
      producerIds = new ProducerIdManager({ reserve: (size) => plane.reserveProducerIds(size) });
      stores = openSecurityStores(config.dataDir, plane, log);
    } else {
      cluster = controlPlane ? controlPlane(self) : LocalControlPlane.open(config.dataDir, self);
      producerIds = ProducerIdManager.open(config.dataDir);
      stores = openSecurityStores(config.dataDir, null, log);
    }
  } catch (err) {
    await closeAll([() => kafka.close(), () => cluster?.close()]);
    throw err;
  }
  const { credentials, clientQuotas, acls } = stores;
  const broker = new Broker(config, cluster, log, clock);
  const groups: GroupCoordinator = new GroupCoordinator(broker, config, log, systemClock, { has: (groupId) => shares.has(groupId), list: () => shares.list() });
  const txns = new TransactionCoordinator(broker, groups, config, () => producerIds.nextId(), log);
  const shares: ShareCoordinator = new ShareCoordinator(
    broker,
    config,
    shareClock,
    log,
    (groupId) => groups.typeOf(groupId),
    (groupId) => groups.coordinatorError(groupId),
  );
  try {
    await broker.start();
  } catch (err) {
    await closeAll([() => kafka.close(), () => cluster.close()]);
    throw err;
  }
  // Leaderships move before the listener closes, so clients are redirected rather than cut off (controlled shutdown).
  const resign = () => broker.stopFollowing().then(() => cluster.resign()).catch((err: unknown) => log.warn({ err }, 'controlled shutdown failed; leaderships move when the lease lapses'));
  const closeEverything = () => closeAll([resign, () => kafka.close(), () => txns.close(), () => shares.close(), () => groups.close(), () => broker.close(), () => cluster.close()]);
  try {
    // Committed offsets are loaded before the first connection is served.
    groups.start();
    txns.start();
    shares.start();
  } catch (err) {
    await closeEverything().catch(() => {});
    throw err;
  }
  const quotas = new ClientQuotaManager(clientQuotas, config, quotaClock);
  const authorizer = config.authorizer === 'acl' ? new AclAuthorizer(acls, config.superUsers, log.child({ module: 'authorizer' })) : allowEverything;
  kafka.attach({ broker, groups, txns, shares, producerIds, credentials, quotas, acls, authorizer });
  let http: RunningHttpApi | null = null;
  // Sampled only for the HTTP API's charts; its timers never keep the process alive.
  const history = new StatsHistory(statsClock, brokerStatsSources(broker, groups));
  if (config.httpPort !== 0) {
    try {
      // Loaded only when asked for: a broker without the HTTP API does not carry Fastify in memory.
      const { startHttpApi } = await import('./http/server.js');
      http = await startHttpApi({ broker, groups, shares, shareClock, config, credentials, authorizer, openConnections: () => kafka.connectionCount, refusedConnections: kafka.refusedConnections, quotas, acls, history }, log);
      history.start();
    } catch (err) {
      await closeEverything().catch(() => {});
      throw err;
    }
  }
  const httpPort = http?.port ?? null;
  log.info({ host: config.host, port: bound, listeners: formatListeners(endpoints), httpPort, dataDir: config.dataDir, clusterId: cluster.clusterId }, 'broker started');
  return {
    port: bound,
    host: config.host,
    bootstrap,
    listeners: endpoints,
    httpPort,
    config,
    broker,
    groups,
    txns,
    shares,
    quotas,
    acls,
    async close() {
      await closeAll([() => history.stop(), () => http?.close(), closeEverything]);
      log.info('broker stopped');
    },
  };
}

/** Runs every step, also after one fails, so each still closes what it can; rethrows the first failure. */
async function closeAll(steps: (() => Promise<unknown> | unknown)[]): Promise<void> {
  let failure: { err: unknown } | null = null;
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}
