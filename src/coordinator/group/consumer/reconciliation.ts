// Incremental reconciliation of one member towards its target assignment
// (KIP-848). The member first gives up what the target takes away, and only
// then moves to the target's epoch; a partition joins a member's assignment
// only once no other member holds it (assigned or pending revocation), so a
// partition is never owned by two members at once.
//
//                     owns partitions the target takes away
//   stable ─────────────────────────────────────────────────► unrevoked-partitions
//     ▲  ▲                                                            │ next heartbeat no
//     │  │ everything held                                            │ longer lists them
//     │  └───────────── unreleased-partitions ◄───────────────────────┤
//     │                    (waits for other members to let go)        │
//     └───────────────────────────────────────────────────────────────┘
//
// In unrevoked-partitions the member keeps its epoch (its offset commits stay
// valid while it revokes); in the other states it has the target's epoch.

import { type PartitionSet, add, entries, filter, has, size } from './partition-set.js';

export type MemberState = 'stable' | 'unrevoked-partitions' | 'unreleased-partitions';

export interface MemberAssignment {
  state: MemberState;
  memberEpoch: number;
  /** Partitions the member may consume. */
  assigned: PartitionSet;
  /** Partitions the member must give up before it moves to the target's epoch. */
  pendingRevocation: PartitionSet;
}

export interface ReconcileInput {
  current: MemberAssignment;
  targetEpoch: number;
  target: PartitionSet;
  /** The partitions the member says it owns in this heartbeat; null when it did not say. */
  owned: PartitionSet | null;
  /** Whether another member still holds the partition (assigned or pending revocation). */
  heldByOther(topicId: string, partition: number): boolean;
}

/** The member's next assignment; `current` itself when nothing changes. */
export function reconcile(input: ReconcileInput): MemberAssignment {
  const { current } = input;
  switch (current.state) {
    case 'stable':
      return current.memberEpoch === input.targetEpoch ? current : nextAssignment(input, current.memberEpoch);
    case 'unrevoked-partitions':
      return stillOwnsAny(input.owned, current.pendingRevocation) ? current : nextAssignment(input, current.memberEpoch);
    case 'unreleased-partitions':
      return nextAssignment(input, current.memberEpoch);
  }
}

/** True unless the member reported owned partitions and none of `revoking` is among them. */
function stillOwnsAny(owned: PartitionSet | null, revoking: PartitionSet): boolean {
  if (owned === null) return true;
  for (const [topicId, p] of entries(revoking)) if (has(owned, topicId, p)) return true;
  return false;
}

function nextAssignment(input: ReconcileInput, memberEpoch: number): MemberAssignment {
  const { current, target, targetEpoch } = input;
  const kept = filter(current.assigned, (t, p) => has(target, t, p));
  const revoking = filter(current.assigned, (t, p) => !has(target, t, p));
  if (size(revoking) > 0 && stillOwnsAny(input.owned, revoking)) {
    return { state: 'unrevoked-partitions', memberEpoch, assigned: kept, pendingRevocation: revoking };
  }
  let unreleased = false;
  for (const [topicId, p] of entries(target)) {
    if (has(kept, topicId, p)) continue;
    if (input.heldByOther(topicId, p)) unreleased = true;
    else add(kept, topicId, p);
  }
  return { state: unreleased ? 'unreleased-partitions' : 'stable', memberEpoch: targetEpoch, assigned: kept, pendingRevocation: new Map() };
}
