// One member of a classic group: who it is, the protocols (assignors) it
// offered in its last JoinGroup, what the leader assigned it, and the JoinGroup
// or SyncGroup response it is parked on. Owned by its Group; nothing else
// mutates a member.

import type { Timer } from '../../clock.js';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  memberId: string;
  /** Every member's metadata for the chosen protocol; only the leader gets them. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

const EMPTY = Buffer.alloc(0);

export class Member {
  /** What the leader assigned in the last completed SyncGroup. */
  assignment: Buffer = EMPTY;
  /** Resolves the member's parked JoinGroup; null when none is parked. */
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  /** Resolves the member's parked SyncGroup; null when none is parked. */
  awaitingSync: ((r: SyncResult) => void) | null = null;
  /** Fires when the member has not been heard from within its session timeout. */
  sessionTimer: Timer | null = null;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocols: Protocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /** The metadata this member offered with `protocol` (empty if it offered none). */
  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** True when `protocols` are the ones this member already offered, in the same order with the same bytes. */
  offersSame(protocols: Protocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata))
    );
  }
}
