// Brokers of one process sharing a SharedControlPlane, each on its own port
// and data directory, closed when the test ends; and the few raw requests
// the replication tests send to one broker in particular (a client would
// follow the leader by itself).

import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { PartitionRole } from '../../src/broker/leadership.js';
import type { Message } from '../../src/protocol/codec.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { encodeBatch } from '../../src/protocol/records.js';
import type { RunningBroker, StartOptions } from '../../src/start-broker.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';
import { SharedControlPlane } from '../support/shared-control-plane.js';

export async function startCluster(t: TestContext, nodeIds: number[], options: StartOptions = {}): Promise<{ plane: SharedControlPlane; brokers: Map<number, RunningBroker> }> {
  const plane = new SharedControlPlane();
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

/** One Produce v9 of `values` to one partition of `broker`; returns that partition's response. */
export async function produceTo(t: TestContext, broker: RunningBroker, topic: string, partition: number, values: string[], acks = -1): Promise<Message> {
  const raw = await RawSocket.connect(t, broker.port);
  const records = encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
  const body = { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
  const id = ++correlationId;
  await raw.write(encodeRequest(ProduceRequest, 9, body, id));
  const res = decodeResponse(await raw.nextFrame(30_000), ProduceResponse, 9);
  raw.socket.destroy();
  return res.body.responses[0].partitionResponses[0];
}

/** Resolves once `ready()` holds, checking after each turn of the event loop; rejects after `timeoutMs`. */
export async function until(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
