// Sends transaction markers to partitions led by other brokers: one
// WriteTxnMarkers v1 per marker to the partition's leader, as the control
// plane names it at each try, over one connection per broker (to its
// replication address, where brokers talk to each other). A marker is retried
// until it lands: a lost connection, a leader that is gone or no longer leads
// (NOT_LEADER_OR_FOLLOWER) or any other error waits a backoff (100 ms
// doubling to 1 s) and tries again at whoever leads then. Only a topic or
// partition that no longer exists ends the retries: nothing is left to mark.

import type { BrokerInfo, ControlPlane } from '../../cluster/control-plane.js';
import { BrokerConnection } from '../../client/connection.js';
import type { InterBrokerSecurity } from '../../cluster/inter-broker-security.js';
import type { Clock } from '../../clock.js';
import { SluiceError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/messages/write-txn-markers.js';

const WRITE_TXN_MARKERS = { request: WriteTxnMarkersRequest, response: WriteTxnMarkersResponse };
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1000;

export interface TxnMarker {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
}

export class TxnMarkerSender {
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  /** Backoff waits in progress: each ends the wait at once (close). */
  private readonly waits = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly cluster: Pick<ControlPlane, 'topic' | 'brokers'>,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** TLS and SASL of the leaders' inter-broker listener (cluster/inter-broker-security.ts). */
    private readonly security: InterBrokerSecurity = {},
  ) {}

  /** Resolves once the marker is committed at the partition's leader, or the partition is gone; rejects only when the sender closes. */
  async send(marker: TxnMarker): Promise<void> {
    for (let backoffMs = FIRST_BACKOFF_MS; ; backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2)) {
      if (this.closed) throw new SluiceError('SLUICE_ERR_CLOSED', 'the transaction marker sender is closed');
      const partition = this.cluster.topic(marker.topic)?.partitions[marker.partition];
      if (!partition) return;
      const leader = this.cluster.brokers().find((b) => b.nodeId === partition.leader);
      if (leader) {
        const errorCode = await this.sendTo(leader, marker);
        if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return;
        this.log.debug({ ...marker, leader: leader.nodeId, errorCode }, 'transaction marker not written; retrying');
      }
      await this.backoff(backoffMs);
    }
  }

  /** Stops every retry (their sends reject) and closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.waits]) wake();
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(connections.map((c) => c.then((conn) => conn.close()).catch(() => {})));
  }

  /** The partition's error code from `leader`, or -1 when the request did not get an answer. */
  private async sendTo(leader: BrokerInfo, marker: TxnMarker): Promise<number> {
    let connection = this.connections.get(leader.nodeId);
    if (!connection) {
      connection = BrokerConnection.connect(leader.replicationHost, leader.replicationPort, { clientId: 'sluice-txn-markers', ...this.security });
      this.connections.set(leader.nodeId, connection);
    }
    try {
      const res = await (
        await connection
      ).sendVersion(WRITE_TXN_MARKERS, 1, {
        markers: [
          {
            producerId: marker.producerId,
            producerEpoch: marker.producerEpoch,
            transactionResult: marker.commit,
            topics: [{ name: marker.topic, partitionIndexes: [marker.partition] }],
            coordinatorEpoch: 0,
          },
        ],
      });
      return res.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    } catch (err) {
      // The next try connects again (to whoever leads then).
      if (this.connections.get(leader.nodeId) === connection) this.connections.delete(leader.nodeId);
      void connection.then((c) => c.close()).catch(() => {});
      this.log.debug({ err, leader: leader.nodeId }, 'WriteTxnMarkers got no answer');
      return -1;
    }
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        timer.cancel();
        this.waits.delete(wake);
        resolve();
      };
      const timer = this.clock.schedule(ms, wake);
      this.waits.add(wake);
    });
  }
}
