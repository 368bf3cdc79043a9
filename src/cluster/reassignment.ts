// A partition's reassignment (KIP-455) as changes of its assignment, decided
// here and written by the control plane with compare-and-swap like any other:
//
//   start:    replicas = target, then the current replicas not in it;
//             adding = target - current; removing = current - target
//   complete: once every adding replica is in the ISR: replicas = target,
//             ISR = ISR within target, a leader outside the target hands over
//             to the first target replica in sync (leader epoch + 1)
//   cancel:   back to the replicas before the start, likewise
//
// The added replicas fetch like any follower and join the ISR through their
// leader; nothing here waits: the controller calls `complete` on each change
// it sees.

import type { PartitionAssignment } from './control-plane.js';

const without = (xs: number[], drop: number[]) => xs.filter((x) => !drop.includes(x));

export function reassigning(p: PartitionAssignment): boolean {
  return (p.addingReplicas?.length ?? 0) > 0 || (p.removingReplicas?.length ?? 0) > 0;
}

/** The replicas the partition ends up with when its reassignment completes. */
export function targetReplicas(p: PartitionAssignment): number[] {
  return without(p.replicas, p.removingReplicas ?? []);
}

/** The replicas the partition had before its reassignment started. */
export function originalReplicas(p: PartitionAssignment): number[] {
  return without(p.replicas, p.addingReplicas ?? []);
}

/** Starts moving `p` to `target`; a reassignment in progress is replaced (its added replicas not in `target` are dropped). */
export function startReassignment(p: PartitionAssignment, target: number[]): PartitionAssignment {
  const current = originalReplicas(p);
  const adding = without(target, current);
  const removing = without(current, target);
  if (adding.length === 0) return finish(p, target);
  return { ...p, replicas: [...target, ...removing], addingReplicas: adding, removingReplicas: removing, partitionEpoch: p.partitionEpoch + 1 };
}

/** The completed reassignment once every added replica is in sync; null while one is not. */
export function completeReassignment(p: PartitionAssignment): PartitionAssignment | null {
  if (!reassigning(p) || !(p.addingReplicas ?? []).every((r) => p.isr.includes(r))) return null;
  return finish(p, targetReplicas(p));
}

/** Undoes the reassignment in progress: back to the original replicas. */
export function cancelReassignment(p: PartitionAssignment): PartitionAssignment {
  return finish(p, originalReplicas(p));
}

/**
 * Settles `p` on `replicas`. Throws when none of them is in sync: the
 * partition would have no leader (a target made only of out-of-sync replicas
 * must be reached by adding them first).
 */
function finish(p: PartitionAssignment, replicas: number[]): PartitionAssignment {
  const isr = p.isr.filter((r) => replicas.includes(r));
  if (isr.length === 0) throw new RangeError(`none of the replicas [${replicas.join(',')}] of partition ${p.partition} is in sync (ISR [${p.isr.join(',')}])`);
  const keepsLeader = isr.includes(p.leader);
  const leader = keepsLeader ? p.leader : replicas.find((r) => isr.includes(r))!;
  return {
    partition: p.partition,
    replicas,
    isr,
    leader,
    leaderEpoch: keepsLeader ? p.leaderEpoch : p.leaderEpoch + 1,
    partitionEpoch: p.partitionEpoch + 1,
  };
}
