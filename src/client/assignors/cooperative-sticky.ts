// The cooperative sticky assignor ("cooperative-sticky", KIP-429): a balanced
// assignment that moves as few partitions as possible from what the members
// say they own, given out cooperatively.
//
// Sticky: every partition claimed by exactly one member that still
// subscribes to its topic stays with that member. A partition claimed by
// several (two members that each believe they own it) stays with none of
// them and is given out again, as Kafka does for claims of one generation.
// Unowned partitions go one by one, in topic/partition order, to the
// eligible member holding fewest. Then, while some member holds a partition
// that an eligible member holding at least two fewer could take, the last
// such partition moves to the member holding fewest. Every move narrows the
// spread, so members that subscribe alike end at most one apart, and a
// member only gives up what it holds above its share:
//
//   owned   a: 0 1 2 3 4   b: 5 6 7 8 9   c (new): -
//   sticky  a: 0 1 2       b: 5 6 7 8     c: 3 4 9
//
// Cooperative: a partition that changes owner is withheld from its new owner
// in this round. Its old owner sees it missing from its assignment, revokes
// it (still consuming the rest) and rejoins; in that second round nobody
// claims it, so it goes to the member that needs it. In the example above
// the first round gives c nothing, a keeps 0 1 2 and b keeps 5 6 7 8.

import { type AssignmentPlan, type Assignor, type AssignorMember, compareStrings, groupByTopic, subscribedTopics } from './assignor.js';

interface Holder {
  member: AssignorMember;
  /** The partitions this member gets, in the order they came to it. */
  held: { topic: string; partition: number }[];
}

export function assignCooperativeSticky(members: AssignorMember[], partitionCounts: Map<string, number>): AssignmentPlan {
  const previousOwner = uncontestedOwners(members, partitionCounts);
  const sticky = assignSticky(members, partitionCounts, previousOwner);
  const out: AssignmentPlan = new Map();
  for (const [memberId, held] of sticky) {
    out.set(memberId, groupByTopic(held.filter((tp) => (previousOwner.get(key(tp.topic, tp.partition)) ?? memberId) === memberId)));
  }
  return out;
}

export const cooperativeStickyAssignor: Assignor = { name: 'cooperative-sticky', rebalanceProtocol: 'cooperative', assign: assignCooperativeSticky };

/** The balanced sticky assignment before cooperative withholding, by member id. */
function assignSticky(
  members: AssignorMember[],
  partitionCounts: Map<string, number>,
  previousOwner: Map<string, string>,
): Map<string, { topic: string; partition: number }[]> {
  const holders = new Map<string, Holder>(
    [...members].sort((a, b) => compareStrings(a.memberId, b.memberId)).map((m) => [m.memberId, { member: m, held: [] }]),
  );
  const unowned: { topic: string; partition: number }[] = [];
  for (const topic of subscribedTopics(members, partitionCounts)) {
    for (let partition = 0; partition < partitionCounts.get(topic)!; partition++) {
      const owner = previousOwner.get(key(topic, partition));
      if (owner !== undefined) holders.get(owner)!.held.push({ topic, partition });
      else unowned.push({ topic, partition });
    }
  }
  for (const tp of unowned) fewestHolding(holders, tp.topic)?.held.push(tp);
  while (moveOneTowardsBalance(holders));
  return new Map([...holders].map(([memberId, h]) => [memberId, h.held]));
}

/**
 * Moves one partition from a member holding more to an eligible member
 * holding at least two fewer (the one holding fewest); false when no such
 * move exists. Givers are tried from the most loaded, each from its last
 * partition, so the partitions it held first stay.
 */
function moveOneTowardsBalance(holders: Map<string, Holder>): boolean {
  const givers = [...holders.values()].sort((a, b) => b.held.length - a.held.length);
  for (const giver of givers) {
    const receiverByTopic = new Map<string, Holder | undefined>();
    for (let i = giver.held.length - 1; i >= 0; i--) {
      const { topic } = giver.held[i];
      if (!receiverByTopic.has(topic)) receiverByTopic.set(topic, fewestHolding(holders, topic));
      const receiver = receiverByTopic.get(topic);
      if (receiver && receiver.held.length < giver.held.length - 1) {
        receiver.held.push(...giver.held.splice(i, 1));
        return true;
      }
    }
  }
  return false;
}

/** The member subscribed to `topic` holding fewest partitions (the first by member id on a tie), if any. */
function fewestHolding(holders: Map<string, Holder>, topic: string): Holder | undefined {
  let best: Holder | undefined;
  for (const h of holders.values()) {
    if (h.member.topics.includes(topic) && (best === undefined || h.held.length < best.held.length)) best = h;
  }
  return best;
}

/** Partition key → the one member that claims it and may keep it (still subscribed, partition exists). */
function uncontestedOwners(members: AssignorMember[], partitionCounts: Map<string, number>): Map<string, string> {
  const claims = new Map<string, string[]>();
  for (const m of members) {
    for (const tp of m.ownedPartitions ?? []) {
      if (!m.topics.includes(tp.topic)) continue;
      const count = partitionCounts.get(tp.topic) ?? 0;
      for (const partition of tp.partitions) {
        if (partition < 0 || partition >= count) continue;
        const k = key(tp.topic, partition);
        claims.set(k, [...(claims.get(k) ?? []), m.memberId]);
      }
    }
  }
  const owners = new Map<string, string>();
  for (const [k, claimants] of claims) if (new Set(claimants).size === 1) owners.set(k, claimants[0]);
  return owners;
}

function key(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}
