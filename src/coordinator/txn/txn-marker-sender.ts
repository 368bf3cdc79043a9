// Sends transaction markers to partitions led by other brokers: one
// WriteTxnMarkers v1 per marker to the partition's leader, as the control
// plane names it at each try, over one connection per broker (to its
// replication address, where brokers talk to each other). A marker is retried
// until it lands: a lost connection, a leader that is gone or no longer leads
// (NOT_LEADER_OR_FOLLOWER) or any other error waits a backoff (100 ms
// doubling to 1 s) and tries again at whoever leads then. Only a topic or
// partition that no longer exists ends the retries: nothing is left to mark.

import type { BrokerInfo, ControlPlane } from '../../cluster/control-plane.js';
import { BackoffWaits } from '../backoff-waits.js';
import { BrokerConnections } from '../broker-connections.js';
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
  private readonly connections: BrokerConnections;
  private readonly waits: BackoffWaits;
  private closed = false;

  constructor(
    private readonly cluster: Pick<ControlPlane, 'topic' | 'brokers'>,
    clock: Clock,
    private readonly log: Logger,
    /** TLS and SASL of the leaders' inter-broker listener (cluster/inter-broker-security.ts). */
    security: InterBrokerSecurity = {},
  ) {
    this.connections = new BrokerConnections('sluice-txn-markers', log, security);
    this.waits = new BackoffWaits(clock);
  }

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
      await this.waits.wait(backoffMs);
    }
  }

  /** Stops every retry (their sends reject) and closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    this.waits.wakeAll();
    await this.connections.close();
  }

  /** The partition's error code from `leader`, or -1 when the request did not get an answer. */
  private async sendTo(leader: BrokerInfo, marker: TxnMarker): Promise<number> {
    const res = await this.connections.send(leader, WRITE_TXN_MARKERS, 1, {
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
    if (res === null) return -1;
    return res.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
