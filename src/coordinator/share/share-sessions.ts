// Share sessions (KIP-932): the partitions a member fetches from, so that a
// ShareFetch names only what changed. Epoch 0 opens a session with the
// partitions it names (replacing the member's earlier one), each later request
// carries the next epoch (1, 2, ... wrapping past 2^31-1 back to 1) and may add
// partitions or forget some, and epoch -1 ends it. Keyed by group and member.
// A session belongs to the connection that opened it: when that connection
// closes, the session ends (as Kafka's share session cache does), so what the
// member held need not wait out its locks.

import { ErrorCode } from '../../protocol/error-codes.js';

export const OPEN_SESSION_EPOCH = 0;
export const FINAL_SESSION_EPOCH = -1;

/** A topic id (hex) and partition index. */
export interface SessionPartition {
  topicId: string;
  partition: number;
}

export const sessionPartitionKey = (p: SessionPartition): string => `${p.topicId}:${p.partition}`;

export interface ShareSession {
  groupId: string;
  memberId: string;
  /** The epoch the next request must carry. */
  nextEpoch: number;
  partitions: Map<string, SessionPartition>;
  /** The connection it was opened on (aborted when that closes); null until the opener names it. */
  connection: AbortSignal | null;
}

export type SessionStep = { errorCode: typeof ErrorCode.NONE; session: ShareSession; opened: boolean; final: boolean } | { errorCode: number; message: string };

export class ShareSessions {
  private readonly sessions = new Map<string, ShareSession>();

  /**
   * Moves the member's session to the request's epoch: opens, continues or
   * (epoch -1) takes it out of the table. `added` joins the session's
   * partitions, `forgotten` leaves them. Returns the session or the error
   * the whole request is answered with.
   */
  step(groupId: string, memberId: string, epoch: number, added: SessionPartition[], forgotten: SessionPartition[]): SessionStep {
    const key = `${groupId}\u0000${memberId}`;
    if (epoch === OPEN_SESSION_EPOCH) {
      const session: ShareSession = { groupId, memberId, nextEpoch: 1, partitions: new Map(), connection: null };
      for (const p of added) session.partitions.set(sessionPartitionKey(p), p);
      this.sessions.set(key, session);
      return { errorCode: ErrorCode.NONE, session, opened: true, final: false };
    }
    const session = this.sessions.get(key);
    if (!session) return { errorCode: ErrorCode.SHARE_SESSION_NOT_FOUND, message: `no share session for member ${memberId} of group ${groupId}` };
    if (epoch === FINAL_SESSION_EPOCH) {
      this.sessions.delete(key);
      return { errorCode: ErrorCode.NONE, session, opened: false, final: true };
    }
    if (epoch !== session.nextEpoch) {
      return { errorCode: ErrorCode.INVALID_SHARE_SESSION_EPOCH, message: `share session epoch ${epoch} is not the expected ${session.nextEpoch}` };
    }
    session.nextEpoch = epoch === 0x7fffffff ? 1 : epoch + 1;
    for (const p of added) session.partitions.set(sessionPartitionKey(p), p);
    for (const p of forgotten) session.partitions.delete(sessionPartitionKey(p));
    return { errorCode: ErrorCode.NONE, session, opened: false, final: false };
  }

  /** Ends a member's session (it left the group). */
  drop(groupId: string, memberId: string): void {
    this.sessions.delete(`${groupId}\u0000${memberId}`);
  }

  /** Ends and returns the sessions opened on `connection` (it closed). */
  dropConnection(connection: AbortSignal): ShareSession[] {
    const dropped: ShareSession[] = [];
    for (const [key, session] of this.sessions) {
      if (session.connection !== connection) continue;
      this.sessions.delete(key);
      dropped.push(session);
    }
    return dropped;
  }

  clear(): void {
    this.sessions.clear();
  }
}
