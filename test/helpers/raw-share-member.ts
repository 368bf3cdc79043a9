// A share-group member (KIP-932) spoken by hand over one raw connection with
// Sluice's own codecs, for what no real client sends (Sluice's tagged
// releaseDelayMs on acknowledgement batches): it joins with
// ShareGroupHeartbeat, then fetches and acknowledges in one share session,
// keeping the session epoch.
//
//   const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
//   const [p] = await member.fetch();                       // opens the session
//   await member.acknowledge([{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [2], releaseDelayMs: 1000 }]);

import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Message } from '../../src/protocol/codec.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { ShareAcknowledgeRequest, ShareAcknowledgeResponse } from '../../src/protocol/messages/share-acknowledge.js';
import { ShareFetchRequest, ShareFetchResponse } from '../../src/protocol/messages/share-fetch.js';
import { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../src/protocol/messages/share-group-heartbeat.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from './raw-socket.js';

export interface RawAcknowledgement {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
  releaseDelayMs?: number;
}

/** One partition of a ShareFetch answer. */
export interface RawSharePartition {
  errorCode: number;
  acknowledgeErrorCode: number;
  acquiredRecords: { firstOffset: number; lastOffset: number; deliveryCount: number }[];
  /** The record batches sent with them. */
  records?: Buffer | null;
}

export class RawShareMember {
  private sessionEpoch = 0;
  private correlationId = 0;

  private constructor(
    private readonly socket: RawSocket,
    readonly groupId: string,
    readonly memberId: string,
    private readonly topicId: Buffer,
  ) {}

  /** Joins `groupId` subscribed to `topic` (partition 0 is what it fetches). */
  static async join(t: TestContext, broker: RunningBroker, groupId: string, topic: string): Promise<RawShareMember> {
    const socket = await RawSocket.connect(t, broker.port);
    const topicId = broker.broker.cluster.topic(topic)!.topicId;
    const member = new RawShareMember(socket, groupId, randomUUID(), topicId);
    const joined = await member.send(ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse, 1, {
      groupId,
      memberId: member.memberId,
      memberEpoch: 0,
      rackId: null,
      subscribedTopicNames: [topic],
    });
    if (joined.errorCode !== 0) throw new Error(`ShareGroupHeartbeat answered ${joined.errorCode}: ${joined.errorMessage}`);
    return member;
  }

  /**
   * ShareFetch of partition 0 with `acknowledgements` piggybacked; the
   * partition's answer (the first fetch opens the session). A `maxBytes` of 1
   * reads one batch at a time. With `shareAcquireMode`, v2 carrying it (KIP-1206), else v1.
   */
  async fetch(acknowledgements: RawAcknowledgement[] = [], maxWaitMs = 5000, maxBytes = 1 << 20, maxRecords = 500, shareAcquireMode?: number): Promise<RawSharePartition> {
    return this.shareFetch([{ topicId: this.topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acknowledgements }] }], maxWaitMs, maxBytes, maxRecords, shareAcquireMode);
  }

  /** ShareFetch naming no partition: what the open session holds; partition 0's answer. */
  async fetchSession(maxWaitMs = 5000): Promise<RawSharePartition> {
    return this.shareFetch([], maxWaitMs);
  }

  private async shareFetch(topics: Message[], maxWaitMs: number, maxBytes = 1 << 20, maxRecords = 500, shareAcquireMode?: number): Promise<RawSharePartition> {
    const body = await this.send(ShareFetchRequest, ShareFetchResponse, shareAcquireMode === undefined ? 1 : 2, {
      groupId: this.groupId,
      memberId: this.memberId,
      shareSessionEpoch: this.nextEpoch(),
      maxWaitMs,
      minBytes: 1,
      maxBytes,
      maxRecords,
      batchSize: maxRecords,
      shareAcquireMode: shareAcquireMode ?? 0,
      topics,
      forgottenTopicsData: [],
    });
    if (body.errorCode !== 0) throw new Error(`ShareFetch answered ${body.errorCode}: ${body.errorMessage}`);
    const partition = (body.responses as Message[])[0]?.partitions[0];
    return partition ?? { errorCode: 0, acknowledgeErrorCode: 0, acquiredRecords: [] };
  }

  /** ShareAcknowledge of partition 0 in the open session; the partition's error code. */
  async acknowledge(acknowledgements: RawAcknowledgement[]): Promise<number> {
    const body = await this.send(ShareAcknowledgeRequest, ShareAcknowledgeResponse, 1, {
      groupId: this.groupId,
      memberId: this.memberId,
      shareSessionEpoch: this.nextEpoch(),
      topics: [{ topicId: this.topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acknowledgements }] }],
    });
    if (body.errorCode !== 0) throw new Error(`ShareAcknowledge answered ${body.errorCode}: ${body.errorMessage}`);
    return (body.responses as Message[])[0].partitions[0].errorCode;
  }

  private nextEpoch(): number {
    return this.sessionEpoch++;
  }

  private async send(request: MessageSchema, response: MessageSchema, version: number, body: Message): Promise<Message> {
    const correlationId = ++this.correlationId;
    await this.socket.write(encodeRequest(request, version, body, correlationId));
    const answer = decodeResponse(await this.socket.nextFrame(15_000), response, version);
    if (answer.correlationId !== correlationId) throw new Error(`answer to ${answer.correlationId}, expected ${correlationId}`);
    return answer.body;
  }
}
