// Which partitions this broker leads, as news for those that keep state per
// partition: the coordinators load a partition of their internal topic when
// this broker becomes its leader and let it go when it stops leading it.

export type PartitionRole = 'leader' | 'follower' | 'none';

export interface LeadershipChange {
  topic: string;
  partition: number;
  /** 'none': this broker holds no replica of the partition any more (deleted, or moved away). */
  role: PartitionRole;
  leaderEpoch: number;
}

export class LeadershipEvents {
  private readonly listeners = new Set<(change: LeadershipChange) => void>();

  /** Calls `listener` synchronously at every change of this broker's role for a partition. Returns a function that stops it. */
  on(listener: (change: LeadershipChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: LeadershipChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
