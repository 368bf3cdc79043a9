// A warning that may repeat many times a second (refused connections under a
// flood, accepts failing for want of file descriptors) is logged at most once
// per interval, with how many were left out since the last one.

import type { Logger } from '../logger.js';

export class RateLimitedWarning {
  private lastAt = -Infinity;
  private suppressed = 0;

  /** `now`: the clock, injectable for tests. */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(log: Logger, fields: Record<string, unknown>, msg: string): void {
    this.warnIf(log, msg, () => fields);
  }

  /**
   * Warns with the fields `check()` returns, or not when it returns null; `check`
   * runs only when a warning may be logged now (it may be costly).
   */
  warnIf(log: Logger, msg: string, check: () => Record<string, unknown> | null): void {
    const at = this.now();
    if (at - this.lastAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const fields = check();
    if (fields === null) return;
    log.warn({ ...fields, suppressedSinceLast: this.suppressed }, msg);
    this.lastAt = at;
    this.suppressed = 0;
  }
}
