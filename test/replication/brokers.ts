// Brokers of one process sharing a SharedControlPlane, each on its own port
// and data directory, closed when the test ends; and the few raw requests
// the replication tests send to one broker in particular (a client would
// follow the leader by itself).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { PartitionRole } from '../../src/broker/leadership.js';
import type { Message } from '../../src/protocol/codec.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { type RunningBroker, type StartOptions, startBroker } from '../../src/start-broker.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';
import { SharedControlPlane } from '../helpers/shared-control-plane.js';

/** Starts a broker for each of `nodeIds`; `byHand` are registered with no broker behind them (the test plays them). */
export async function startCluster(t: TestContext, nodeIds: number[], options: StartOptions = {}, byHand: number[] = []): Promise<{ plane: SharedControlPlane; brokers: Map<number, RunningBroker> }> {
  const plane = new SharedControlPlane();
  for (const nodeId of byHand) plane.registerByHand(nodeId);
  const brokers = new Map<number, RunningBroker>();
  for (const nodeId of nodeIds) brokers.set(nodeId, await startInProcessBroker(t, { ...options, nodeId, controlPlane: plane.join }));
  return { plane, brokers };
}

/** Resolves once `broker` holds topic-partition in `role` ('none': holds no replica and its directory is gone). */
export function whenRole(broker: RunningBroker, topic: string, partition: number, role: PartitionRole, leaderEpoch?: number): Promise<void> {
  const holds = () => {
    const p = broker.broker.partition(topic, partition);
    if (role === 'none') return p === undefined && !fs.existsSync(path.join(broker.config.dataDir, `${topic}-${partition}`));
    return p !== undefined && p.role === role && (leaderEpoch === undefined || p.leaderEpoch === leaderEpoch);
  };
  if (holds()) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = broker.broker.leadership.on((change) => {
      if (change.topic !== topic || change.partition !== partition || !holds()) return;
      stop();
      resolve();
    });
  });
}

let correlationId = 0;

/** One request of `schema` at `version` to `broker` over a connection of its own; returns the response body. */
export async function request(t: TestContext, broker: RunningBroker, schema: MessageSchema, responseSchema: MessageSchema, version: number, body: Message): Promise<Message> {
  const raw = await RawSocket.connect(t, broker.port);
  const id = ++correlationId;
  await raw.write(encodeRequest(schema, version, body, id));
  const res = decodeResponse(await raw.nextFrame(30_000), responseSchema, version);
  raw.socket.destroy();
  return res.body;
}

/** One Produce v9 of `values` to one partition of `broker`; returns that partition's response. */
export async function produceTo(t: TestContext, broker: RunningBroker, topic: string, partition: number, values: string[], acks = -1): Promise<Message> {
  const records = encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
  const body = { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
  return (await request(t, broker, ProduceRequest, ProduceResponse, 9, body)).responses[0].partitionResponses[0];
}

/** Resolves once `ready()` holds, checking after each turn of the event loop; rejects after `timeoutMs`. */
export async function until(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface FetchAsk {
  topic: string;
  partition: number;
  fetchOffset: number;
  /** -1: a consumer. */
  replicaId: number;
  currentLeaderEpoch?: number;
  maxWaitMs?: number;
  minBytes?: number;
}

/** One Fetch v12 of one partition from `broker`; returns that partition's response. */
export async function fetchFrom(t: TestContext, broker: RunningBroker, ask: FetchAsk): Promise<Message> {
  const body = {
    replicaId: ask.replicaId,
    maxWaitMs: ask.maxWaitMs ?? 0,
    minBytes: ask.minBytes ?? 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: ask.topic, partitions: [{ partition: ask.partition, currentLeaderEpoch: ask.currentLeaderEpoch ?? -1, fetchOffset: ask.fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
  return (await request(t, broker, FetchRequest, FetchResponse, 12, body)).responses[0].partitions[0];
}

/**
 * Brokers of a shared control plane that the test stops and starts again on
 * their own data directories (a broker that was away comes back with its
 * log). Every one still running is closed, and every directory removed, when
 * the test ends.
 */
export class Members {
  private readonly running = new Map<number, RunningBroker>();
  private readonly dirs = new Map<number, string>();

  constructor(
    t: TestContext,
    readonly plane: SharedControlPlane,
    private readonly options: StartOptions = {},
  ) {
    t.after(async () => {
      for (const id of [...this.running.keys()]) await this.stop(id);
      for (const dir of this.dirs.values()) await fsp.rm(dir, { recursive: true, force: true });
    });
  }

  get(nodeId: number): RunningBroker {
    const b = this.running.get(nodeId);
    if (!b) throw new Error(`broker ${nodeId} is not running`);
    return b;
  }

  async start(nodeId: number): Promise<RunningBroker> {
    let dataDir = this.dirs.get(nodeId);
    if (!dataDir) this.dirs.set(nodeId, (dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), `sluice-replica-${nodeId}-`))));
    const broker = await startBroker({ port: 0, logLevel: 'silent', ...this.options, dataDir, nodeId, controlPlane: this.plane.join });
    this.running.set(nodeId, broker);
    return broker;
  }

  /** Closes broker `nodeId` (it leaves the control plane's broker list). */
  async stop(nodeId: number): Promise<void> {
    const b = this.running.get(nodeId);
    if (!b) return;
    this.running.delete(nodeId);
    await b.close();
  }
}
