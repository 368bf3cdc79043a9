// The long polls of share groups' fetches (ShareFetch, and the broker's own
// members' acquireFor): each waits until new data reaches one of its
// partitions, the group's records are given back (wake), its time is up, or
// its caller stops waiting; the ShareCoordinator reads again then.

import type { Clock } from '../../clock.js';

/** Something that tells of new data: a partition (`Partition.onData`), returning what stops the telling. */
export interface DataSource {
  onData(listener: () => void): () => void;
}

export class ShareWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(private readonly clock: Clock) {}

  /** Resolves when data reaches one of `sources`, `wake(groupId)` is called, `timeoutMs` passes or `stop` aborts. */
  wait(groupId: string, sources: DataSource[], timeoutMs: number, stop?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const cancels: (() => void)[] = [];
      let waiters = this.waiting.get(groupId);
      if (!waiters) this.waiting.set(groupId, (waiters = new Set()));
      const done = () => {
        timer.cancel();
        for (const cancel of cancels) cancel();
        waiters.delete(done);
        resolve();
      };
      for (const source of sources) cancels.push(source.onData(done));
      if (stop) {
        stop.addEventListener('abort', done);
        cancels.push(() => stop.removeEventListener('abort', done));
      }
      const timer = this.clock.schedule(timeoutMs, done);
      waiters.add(done);
    });
  }

  /** Ends the waits of the group's fetches: records became available again. */
  wake(groupId: string): void {
    for (const wake of [...(this.waiting.get(groupId) ?? [])]) wake();
  }

  /** Ends every wait (the coordinator is closing). */
  wakeAll(): void {
    for (const waiters of [...this.waiting.values()]) for (const wake of [...waiters]) wake();
  }
}
