// Several `sluice serve` processes forming one cluster over a given etcd, for
// tests that kill, pause and cut off brokers. Each broker has its own data
// directory and a fixed port (so a restarted broker comes back at the same
// address), and is reached by the others for replication through a fault
// proxy of its own (fault-proxy.ts), so a test can cut a leader off from its
// followers while clients and etcd still reach it.
//
//   const etcd = await startEtcd(t, { members: 3 });
//   const cluster = await startBrokerCluster(t, { etcd: etcd.endpoints, brokers: 3 });
//   await cluster.broker(1).kill9();

import type { TestContext } from 'node:test';
import { Admin, type ClusterDescription } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { type BrokerProcess, defer, makeDataDir, spawnBroker, waitFor } from './broker-process.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { freePort } from './free-port.js';

export interface ClusterOptions {
  /** etcd client URLs. */
  etcd: string[];
  /** Broker ids 1..brokers. */
  brokers: number;
  /** Extra `sluice serve` flags for every broker. */
  args?: string[];
  /** Serve each broker's HTTP API, on a port of its own (process.httpPort); off by default. */
  http?: boolean;
}

export interface ClusterBroker {
  readonly id: number;
  readonly port: number;
  readonly dataDir: string;
  /** Followers fetch from this broker through it. */
  readonly replicationProxy: FaultProxy;
  /** The running process; null while stopped or killed. */
  readonly process: BrokerProcess | null;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (controlled shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Starts the broker again on its data directory and port. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a broker frozen as by a long pause, its sockets open. */
  pause(): void;
  resume(): void;
}

export interface BrokerCluster {
  /** "127.0.0.1:p1,127.0.0.1:p2,..." for clients. */
  readonly bootstrap: string;
  broker(id: number): ClusterBroker;
  readonly brokers: ClusterBroker[];
  /** What a client's Metadata shows now (asked of any live broker). */
  describe(): Promise<ClusterDescription>;
  /** Waits until `condition` holds of the cluster as Metadata shows it. */
  waitUntil(what: string, condition: (d: ClusterDescription) => boolean, timeoutMs?: number): Promise<ClusterDescription>;
}

export async function startBrokerCluster(t: TestContext, options: ClusterOptions): Promise<BrokerCluster> {
  const members: ClusterBroker[] = [];
  for (let id = 1; id <= options.brokers; id++) members.push(await clusterBroker(t, id, options));
  await Promise.all(members.map((b) => b.restart()));
  const bootstrap = members.map((b) => `127.0.0.1:${b.port}`).join(',');
  const client = new KafkaClient({ bootstrap, clientId: 'cluster-test', requestTimeoutMs: 5000 });
  defer(t, () => client.close());
  const admin = new Admin(client);
  const describe = () => admin.describeCluster();
  const cluster: BrokerCluster = {
    bootstrap,
    brokers: members,
    broker: (id) => members[id - 1],
    describe,
    async waitUntil(what, condition, timeoutMs = 30_000) {
      let last: ClusterDescription | null = null;
      await waitFor(
        what,
        async () => {
          try {
            last = await describe();
          } catch {
            return false;
          }
          return condition(last);
        },
        timeoutMs,
      );
      return last!;
    },
  };
  await cluster.waitUntil(`${options.brokers} brokers registered`, (d) => d.brokers.length === options.brokers && d.controllerId > 0);
  // Each broker validates a CreateTopics against its own watch-fed image: wait until every one sees them all.
  await Promise.all(members.map((b) => waitUntilSeesAll(t, b, options.brokers)));
  return cluster;
}

async function waitUntilSeesAll(t: TestContext, broker: ClusterBroker, brokers: number): Promise<void> {
  const client = new KafkaClient({ bootstrap: `127.0.0.1:${broker.port}`, clientId: 'cluster-test', requestTimeoutMs: 5000 });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await waitFor(`broker ${broker.id} sees ${brokers} brokers`, async () => (await admin.describeCluster().catch(() => null))?.brokers.length === brokers, 30_000);
}

async function clusterBroker(t: TestContext, id: number, options: ClusterOptions): Promise<ClusterBroker> {
  const dataDir = await makeDataDir(t, `sluice-cluster-${id}-`);
  const port = await freePort();
  const replicationProxy = await startFaultProxy(t, port);
  let running: BrokerProcess | null = null;
  const http = options.http ? ['--http-port', String(await freePort())] : [];
  const args = ['--broker-id', String(id), '--port', String(port), '--etcd', options.etcd.join(','), '--replication-address', replicationProxy.address, ...http, ...(options.args ?? [])];
  return {
    id,
    port,
    dataDir,
    replicationProxy,
    get process() {
      return running;
    },
    async kill9() {
      await running?.kill9();
      running = null;
    },
    async stop() {
      const code = (await running?.stop()) ?? null;
      running = null;
      return code;
    },
    async restart() {
      running = await spawnBroker(t, { dataDir, args });
    },
    pause() {
      if (running) process.kill(running.pid, 'SIGSTOP');
    },
    resume() {
      if (running) process.kill(running.pid, 'SIGCONT');
    },
  };
}
