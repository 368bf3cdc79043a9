// The controller's decisions for one partition when the set of live brokers
// changes, as pure functions: which replicas stay in the ISR and who leads.
// Leaders come from the live ISR, first in replica order; with unclean leader
// election a live out-of-sync replica may lead (losing what only the ISR had).

import type { ElectionResult, ElectionType, PartitionAssignment } from './control-plane.js';

/**
 * The partition's next state with `live` brokers, or null when nothing
 * changes. Brokers gone leave the ISR, except that the ISR never empties: its
 * last member stays (it holds every acknowledged record), so that it leads
 * again when it comes back. Every change bumps partitionEpoch; a change of
 * leader, to -1 (offline) too, bumps leaderEpoch.
 */
export function afterBrokerChange(p: PartitionAssignment, live: ReadonlySet<number>, uncleanAllowed: boolean): PartitionAssignment | null {
  const liveIsr = p.isr.filter((id) => live.has(id));
  if (p.leader !== -1 && live.has(p.leader)) {
    return liveIsr.length === p.isr.length ? null : { ...p, isr: liveIsr, partitionEpoch: p.partitionEpoch + 1 };
  }
  const clean = p.replicas.find((id) => liveIsr.includes(id));
  if (clean !== undefined) return withLeader(p, clean, liveIsr);
  const unclean = uncleanAllowed ? p.replicas.find((id) => live.has(id)) : undefined;
  if (unclean !== undefined) return withLeader(p, unclean, [unclean]);
  const last = lastIsrMember(p);
  if (p.leader === -1 && p.isr.length === last.length && p.isr[0] === last[0]) return null;
  return { ...p, leader: -1, leaderEpoch: p.leaderEpoch + 1, isr: last, partitionEpoch: p.partitionEpoch + 1 };
}

function withLeader(p: PartitionAssignment, leader: number, isr: number[]): PartitionAssignment {
  return { ...p, leader, leaderEpoch: p.leaderEpoch + 1, isr, partitionEpoch: p.partitionEpoch + 1 };
}

/** The ISR member to keep when none is live: the leader if it was in sync, else the first member. */
function lastIsrMember(p: PartitionAssignment): number[] {
  if (p.isr.includes(p.leader)) return [p.leader];
  return p.isr.length > 0 ? [p.isr[0]] : [];
}

/**
 * The partition's next state when broker `leaving` shuts down cleanly, or null
 * when it changes nothing. The leaving broker hands leadership to the first
 * live ISR member in replica order (leaderEpoch+1) and leaves the ISR; where
 * it is the only live ISR member it keeps both, since moving would lose
 * acknowledged records or take the partition offline early.
 */
export function afterResign(p: PartitionAssignment, leaving: number, live: ReadonlySet<number>): PartitionAssignment | null {
  if (!p.isr.includes(leaving)) return null;
  const others = p.isr.filter((id) => id !== leaving && live.has(id));
  if (others.length === 0) return null;
  if (p.leader !== leaving) return { ...p, isr: p.isr.filter((id) => id !== leaving), partitionEpoch: p.partitionEpoch + 1 };
  const leader = p.replicas.find((id) => others.includes(id)) ?? others[0];
  return withLeader(p, leader, p.isr.filter((id) => id !== leaving));
}

/** What an asked-for election did: elected, nothing to do, or no replica that may lead. */
export type ElectionOutcome = Exclude<ElectionResult['outcome'], 'unknown-partition'>;

/**
 * An election asked for by an operator (ElectLeaders). Preferred: the first
 * replica leads, if it is live and in sync. Unclean (KIP-460): only for a
 * partition without a live leader; a live ISR member if there is one, else
 * any live replica, alone in the ISR.
 */
export function elect(p: PartitionAssignment, type: ElectionType, live: ReadonlySet<number>): { outcome: ElectionOutcome; next: PartitionAssignment | null } {
  if (type === 'preferred') {
    const preferred = p.replicas[0];
    if (p.leader === preferred) return { outcome: 'not-needed', next: null };
    if (!live.has(preferred) || !p.isr.includes(preferred)) return { outcome: 'not-available', next: null };
    return { outcome: 'elected', next: withLeader(p, preferred, p.isr) };
  }
  if (p.leader !== -1 && live.has(p.leader)) return { outcome: 'not-needed', next: null };
  const next = afterBrokerChange(p, live, true);
  return next !== null && next.leader !== -1 ? { outcome: 'elected', next } : { outcome: 'not-available', next: null };
}
