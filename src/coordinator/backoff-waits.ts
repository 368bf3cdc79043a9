// The backoff waits of a sender that retries requests to other brokers
// (txn/txn-marker-sender.ts, share/share-state-persister.ts): each wait ends
// when its time is up, or at once when the sender closes (wakeAll).

import type { Clock } from '../clock.js';

export class BackoffWaits {
  private readonly waits = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        timer.cancel();
        this.waits.delete(wake);
        resolve();
      };
      const timer = this.clock.schedule(ms, wake);
      this.waits.add(wake);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.waits]) wake();
  }
}
