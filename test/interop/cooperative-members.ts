// What the cooperative-sticky interop tests ask of any group member, Sluice
// or a third-party client, and how they wait for a group to settle.

import assert from 'node:assert/strict';
import type { Admin } from '../../src/client/index.js';
import { waitFor } from '../helpers/broker-process.js';
import type { GroupMember } from '../helpers/group-member.js';

/** Ceiling on waits for rebalances and consumption; a guard that fails the test, not a synchronisation. */
export const WAIT_MS = 30_000;

export interface Read {
  partition: number;
  offset: number;
}

export interface CooperativeMember {
  name: string;
  /** The partitions it owns now, sorted. */
  partitions(): number[];
  /** Partitions given up, one sorted list per revocation. */
  revoked(): number[][];
  /** Whether it ever lost its partitions with its membership (rather than revoking them). */
  lost(): boolean;
  reads(): Read[];
}

export function sluiceMember(name: string, m: GroupMember): CooperativeMember {
  return {
    name,
    partitions: m.partitions,
    revoked: () => m.revoked.map((list) => list.flatMap((tp) => tp.partitions).sort((a, b) => a - b)),
    lost: () => false,
    reads: () => m.records,
  };
}

/**
 * Waits until the cooperative-sticky group is Stable with `members`, each
 * seeing what the coordinator assigned it, together all `partitions` once
 * (between the two rounds of a cooperative rebalance the group is Stable
 * with moved partitions unassigned).
 */
export async function settled(admin: Admin, groupId: string, members: CooperativeMember[], partitions: number): Promise<void> {
  const all = JSON.stringify(Array.from({ length: partitions }, (_, i) => i));
  await waitFor(
    `${members.map((m) => m.name).join(', ')} to settle`,
    async () => {
      const [g] = await admin.describeGroups([groupId]);
      if (g.state !== 'Stable' || g.protocol !== 'cooperative-sticky' || g.members.length !== members.length) return false;
      // One look at the members, after the coordinator's answer, for both checks.
      const views = members.map((m) => m.partitions());
      if (JSON.stringify(views.flat().sort((a, b) => a - b)) !== all) return false;
      const described = g.members.map((d) => JSON.stringify(d.assignment.flatMap((tp) => tp.partitions).sort((a, b) => a - b))).sort();
      return JSON.stringify(described) === JSON.stringify(views.map((v) => JSON.stringify(v)).sort());
    },
    WAIT_MS,
  );
}

export interface MemberSnapshot {
  partitions: number[];
  revocations: number;
}

/** Each member's partitions and revocation count now, by name, for assertGaveUpOnlyWhatMoved. */
export function snapshot(members: CooperativeMember[]): Map<string, MemberSnapshot> {
  return new Map(members.map((m) => [m.name, { partitions: m.partitions(), revocations: m.revoked().length }]));
}

/**
 * Since `before`, each of `members` kept all it still has, revoked exactly
 * the partitions it no longer has (none lost with a membership), and
 * those went to `newcomer` (when given).
 */
export function assertGaveUpOnlyWhatMoved(members: CooperativeMember[], before: Map<string, MemberSnapshot>, newcomer?: CooperativeMember): void {
  for (const m of members) {
    const was = before.get(m.name)!;
    const moved = was.partitions.filter((p) => !m.partitions().includes(p));
    assert.ok(newcomer ? m.partitions().every((p) => was.partitions.includes(p)) : was.partitions.every((p) => m.partitions().includes(p)), `${m.name} had ${was.partitions}, has ${m.partitions()}`);
    assert.deepEqual(m.revoked().slice(was.revocations).flat().sort((a, b) => a - b), moved, `${m.name} revoked exactly what moved`);
    if (newcomer) assert.ok(moved.every((p) => newcomer.partitions().includes(p)), `${m.name}'s moved partitions went to ${newcomer.name}`);
    assert.equal(m.lost(), false);
  }
}
