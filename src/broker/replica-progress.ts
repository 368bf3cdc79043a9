// A leader's view of its partition's replicas: the ISR and partition epoch the
// control plane last gave it, and each follower's progress as its fetches
// report it: the log end it has (durably, see the replica fetcher) and the last
// time it was caught up. Owned by the Partition; plain synchronous state.
//
// "Caught up" is Kafka's rule (Replica.updateFetchState): a fetch at or past
// the leader's log end at that moment catches the follower up now; a fetch at
// or past the log end the leader had at the follower's previous fetch caught
// it up at that previous fetch. A follower whose last catch-up is older than
// replica.lag.time.max.ms leaves the ISR.

interface FollowerState {
  /** Offset after the last record the follower holds (its fetch offset). */
  logEndOffset: number;
  lastCaughtUpTimeMs: number;
  /** The leader's log end and the time at the follower's previous fetch. */
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

export class ReplicaProgress {
  private members: readonly number[] = [];
  /** Every replica the control plane assigned; only these are followers. */
  private assigned: readonly number[] = [];
  /** An ISR asked of the control plane and not yet answered; null when none is. */
  private proposed: readonly number[] | null = null;
  private epochOfIsr = -1;
  private readonly followers = new Map<number, FollowerState>();

  constructor(private readonly nodeId: number) {}

  get isr(): readonly number[] {
    return this.members;
  }

  get partitionEpoch(): number {
    return this.epochOfIsr;
  }

  /**
   * Takes the ISR the control plane decided. Followers that join are deemed
   * caught up now, as Kafka does for the ISR of a new leader, so that none is
   * dropped before its first fetch had a chance.
   */
  setIsr(isr: readonly number[], replicas: readonly number[], partitionEpoch: number, nowMs: number): void {
    this.members = [...isr];
    this.assigned = [...replicas];
    this.epochOfIsr = partitionEpoch;
    for (const id of isr) if (id !== this.nodeId && !this.followers.has(id)) this.followers.set(id, unknownFollower(nowMs));
  }

  /** Forgets every follower's progress (a new leadership starts from unknown offsets). */
  reset(): void {
    this.followers.clear();
    this.proposed = null;
  }

  get pendingIsr(): readonly number[] | null {
    return this.proposed;
  }

  /**
   * An ISR change sent to the control plane (null: answered). Until it is
   * answered the high watermark counts the members of both the old and the
   * new ISR (Kafka's "maximal ISR"): a follower being added already holds back
   * what it does not have, and one being removed still does until it is gone.
   */
  propose(isr: readonly number[] | null): void {
    this.proposed = isr === null ? null : [...isr];
  }

  /** Whether `replicaId` is one of the partition's followers (a replica other than this leader). */
  isFollower(replicaId: number): boolean {
    return replicaId !== this.nodeId && this.assigned.includes(replicaId);
  }

  /** Records a follower's fetch at `fetchOffset` when the leader's log ended at `leaderLogEndOffset`; a broker that holds no replica is not tracked. */
  recordFetch(replicaId: number, fetchOffset: number, leaderLogEndOffset: number, nowMs: number): void {
    if (!this.isFollower(replicaId)) return;
    const f = this.followers.get(replicaId) ?? unknownFollower(nowMs);
    if (fetchOffset >= leaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    f.lastFetchTimeMs = nowMs;
    this.followers.set(replicaId, f);
  }

  /** The log end a follower reported, -1 before its first fetch. */
  logEndOf(replicaId: number): number {
    return this.followers.get(replicaId)?.logEndOffset ?? -1;
  }

  /** The smallest log end over the ISR's followers (Infinity when the leader is alone in it); an unknown one counts as 0. */
  minIsrFollowerLogEnd(): number {
    let min = Infinity;
    for (const id of this.members) if (id !== this.nodeId) min = Math.min(min, Math.max(0, this.logEndOf(id)));
    if (this.proposed) for (const id of this.proposed) if (id !== this.nodeId) min = Math.min(min, Math.max(0, this.logEndOf(id)));
    return min;
  }

  /** ISR followers not caught up within `maxLagMs` of `nowMs`. */
  laggingFollowers(nowMs: number, maxLagMs: number): number[] {
    return this.members.filter((id) => id !== this.nodeId && nowMs - (this.followers.get(id)?.lastCaughtUpTimeMs ?? -Infinity) > maxLagMs);
  }
}

function unknownFollower(nowMs: number): FollowerState {
  return { logEndOffset: -1, lastCaughtUpTimeMs: nowMs, lastFetchLeaderLogEndOffset: Infinity, lastFetchTimeMs: nowMs };
}
