// The leader's side of ISR changes: it adds a follower that has caught up
// (after one of its fetches) and drops ISR followers not caught up within
// replica.lag.time.max.ms (a check every half of it, as Kafka's
// isr-expiration task). Each change goes to the control plane as a
// compare-and-swap on the partition's epochs, one in flight per partition;
// the answer is applied to the partition, and a stale one (null) waits for
// the control plane's next state, which the broker applies anyway.

import type { ControlPlane, PartitionAssignment } from '../cluster/control-plane.js';
import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../logger.js';
import type { BrokerCounters } from './counters.js';
import type { Partition } from './partition.js';

export class IsrChanges {
  private timer: Timer | null = null;

  constructor(
    private readonly cluster: ControlPlane,
    private readonly clock: Clock,
    private readonly maxLagMs: number,
    /** Every partition this broker holds. */
    private readonly partitions: () => Partition[],
    /** Applies an assignment the control plane answered with. */
    private readonly apply: (p: Partition, a: PartitionAssignment) => void,
    private readonly log: Logger,
    /** Where applied shrinks and expansions are counted. */
    private readonly counters: BrokerCounters,
  ) {}

  start(): void {
    const tick = () => {
      this.shrinkLagging();
      this.timer = this.clock.schedule(this.maxLagMs / 2, tick);
    };
    this.timer = this.clock.schedule(this.maxLagMs / 2, tick);
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** After follower `replicaId` fetched from `p`: asks to add it to the ISR once it has caught up. */
  afterFollowerFetch(p: Partition, replicaId: number): void {
    if (p.mayJoinIsr(replicaId)) this.propose(p, [...p.isr, replicaId]);
  }

  /** Drops from each led partition's ISR the followers not caught up for maxLagMs. */
  shrinkLagging(): void {
    const now = this.clock.now();
    for (const p of this.partitions()) {
      if (!p.isLeader || p.replicas.pendingIsr !== null) continue;
      const lagging = p.replicas.laggingFollowers(now, this.maxLagMs);
      if (lagging.length === 0) continue;
      this.log.info({ topic: p.topic, partition: p.index, lagging, maxLagMs: this.maxLagMs }, 'shrinking the ISR: followers not caught up');
      this.propose(
        p,
        p.isr.filter((id) => !lagging.includes(id)),
      );
    }
  }

  private propose(p: Partition, isr: number[]): void {
    const before = p.isr.length;
    p.replicas.propose(isr);
    this.cluster
      .alterIsr(p.topic, p.index, p.leaderEpoch, p.replicas.partitionEpoch, isr)
      .then(
        (a) => {
          p.replicas.propose(null);
          if (a === null) return;
          if (a.isr.length < before) this.counters.isrShrinks++;
          else if (a.isr.length > before) this.counters.isrExpands++;
          if (a.leader === p.nodeId) this.apply(p, a);
        },
        (err) => {
          p.replicas.propose(null);
          this.log.warn({ err, topic: p.topic, partition: p.index, isr }, 'ISR change failed; the next fetch or check tries again');
        },
      );
  }
}
