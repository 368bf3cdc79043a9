// The partitions this broker follows, grouped by the broker that leads them:
// one LeaderFetcher (one connection, one Fetch loop) per leader broker,
// created when the first partition follows it and closed when the last one
// leaves. Owned by the broker, which tells it of every follower role it takes
// (follow) and every one it leaves (unfollow).

import type { BrokerInfo } from '../cluster/control-plane.js';
import type { Partition } from '../broker/partition.js';
import { LeaderFetcher, type LeaderFetcherOptions } from './leader-fetcher.js';

export class ReplicaFetchers {
  private readonly byLeader = new Map<number, LeaderFetcher>();
  private readonly leaderOf = new Map<Partition, number>();
  private closed = false;

  /** Shared by every leader's fetcher: one throttle and one log for the broker. */
  constructor(private readonly options: LeaderFetcherOptions) {}

  /** Follows `p` from `leader` at the partition's current leader epoch (truncating first). */
  follow(p: Partition, leader: BrokerInfo): void {
    this.unfollow(p);
    if (this.closed) return;
    let fetcher = this.byLeader.get(leader.nodeId);
    if (!fetcher) {
      fetcher = new LeaderFetcher(leader, this.options);
      this.byLeader.set(leader.nodeId, fetcher);
    }
    this.leaderOf.set(p, leader.nodeId);
    fetcher.follow(p, leader);
  }

  /** Whether `p` is followed (an offline one that stopped fetching still counts). */
  follows(p: Partition): boolean {
    return this.leaderOf.has(p);
  }

  unfollow(p: Partition): void {
    const leader = this.leaderOf.get(p);
    if (leader === undefined) return;
    this.leaderOf.delete(p);
    const fetcher = this.byLeader.get(leader);
    if (!fetcher) return;
    fetcher.unfollow(p);
    if (fetcher.isIdle) {
      this.byLeader.delete(leader);
      void fetcher.close();
    }
  }

  /** Stops every fetch for good: a broker shutting down must not rejoin the ISRs it leaves. */
  async close(): Promise<void> {
    this.closed = true;
    const fetchers = [...this.byLeader.values()];
    this.byLeader.clear();
    this.leaderOf.clear();
    await Promise.all(fetchers.map((f) => f.close()));
  }
}
