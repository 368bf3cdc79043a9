// How a share-partition leader reads and stores its share-partitions' states
// (KIP-932's persister): through the key's share coordinator, the leader of
// its partition of __share_group_state. When that is this broker the share
// state coordinator here answers at once (always so on a single broker);
// otherwise the request goes to the broker the control plane names as that
// partition's leader at each try (share-state-sender.ts).
//
// NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE
// and a request without an answer are retried with a backoff (100 ms doubling
// to 1 s) for at most `timeoutMs`; then, or at any other error, the call fails
// with a ShareStateError carrying the last error code.

import type { BrokerInfo, ControlPlane } from '../../cluster/control-plane.js';
import type { Clock } from '../../clock.js';
import { SluiceError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { BackoffWaits } from '../backoff-waits.js';
import { coordinatorBroker } from '../coordinator-placement.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import type { ShareStateKey } from './share-state-log.js';
import type { ShareStateCoordinator, ShareStateRead } from './share-state-coordinator.js';
import type { ShareStateSender } from './share-state-sender.js';
import { SHARE_STATE_TOPIC, placementKey } from './share-state-store.js';

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1000;
/** What a request that got no answer counts as. */
const NO_ANSWER = -1;
const RETRIABLE = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, NO_ANSWER]);

/** A share-partition's state could not be read or stored; `errorCode` is the last answer (REQUEST_TIMED_OUT for no answer). */
export class ShareStateError extends SluiceError {
  constructor(
    readonly errorCode: number,
    key: ShareStateKey,
  ) {
    super('SLUICE_ERR_SHARE_STATE', `the state of share-partition ${placementKey(key)} could not be read or stored (error code ${errorCode})`);
  }
}

/** One try of a call: here, when this broker coordinates the key, or at the coordinator the control plane names. */
interface StateCall<T extends { errorCode: number }> {
  here(): Promise<T>;
  at(coordinator: BrokerInfo): Promise<T>;
}

export class ShareStatePersister {
  private readonly waits: BackoffWaits;
  private closed = false;

  constructor(
    private readonly cluster: Pick<ControlPlane, 'topic' | 'brokers'>,
    private readonly nodeId: number,
    private readonly local: ShareStateCoordinator,
    private readonly remote: ShareStateSender,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {
    this.waits = new BackoffWaits(clock);
  }

  /** The partition's stored state, null when it has none. */
  async read(key: ShareStateKey, leaderEpoch: number): Promise<SharePartitionSnapshot | null> {
    const read = await this.retry<ShareStateRead>(key, { here: () => this.local.read(key), at: (c) => this.remote.read(c, key, leaderEpoch) });
    return read.snapshot ?? null;
  }

  /** Stores the partition's state (null: forgets it) as written by a leader at `leaderEpoch` (-1: no leader, an admin change). */
  async write(key: ShareStateKey, snapshot: SharePartitionSnapshot | null, leaderEpoch: number): Promise<void> {
    const answer = (errorCode: number) => ({ errorCode });
    await this.retry(key, {
      here: () => this.local.write(key, snapshot, leaderEpoch).then(answer),
      at: (c) => (snapshot === null ? this.remote.delete(c, key) : this.remote.write(c, key, snapshot, leaderEpoch)).then(answer),
    });
  }

  /** Ends the retries in progress (they fail) and closes the connections to other brokers. */
  async close(): Promise<void> {
    this.closed = true;
    this.waits.wakeAll();
    await this.remote.close();
  }

  /** Tries `call` until it answers NONE, an error that is not retried, or the time is up. */
  private async retry<T extends { errorCode: number }>(key: ShareStateKey, call: StateCall<T>): Promise<T> {
    const deadline = this.clock.now() + this.timeoutMs;
    for (let backoffMs = FIRST_BACKOFF_MS; ; backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2)) {
      const result = await this.tryOnce(key, call);
      if (result.errorCode === ErrorCode.NONE) return result as T;
      if (this.closed || !RETRIABLE.has(result.errorCode) || this.clock.now() + backoffMs > deadline) {
        throw new ShareStateError(result.errorCode === NO_ANSWER ? ErrorCode.REQUEST_TIMED_OUT : result.errorCode, key);
      }
      this.log.debug({ key: placementKey(key), errorCode: result.errorCode }, 'share coordinator not reached; retrying');
      await this.waits.wait(backoffMs);
    }
  }

  private tryOnce<T extends { errorCode: number }>(key: ShareStateKey, call: StateCall<T>): Promise<{ errorCode: number }> {
    const here = this.local.ownership(key);
    if (here === ErrorCode.NONE) return call.here();
    const coordinator = coordinatorBroker(this.cluster, SHARE_STATE_TOPIC, placementKey(key));
    if (coordinator === null) return Promise.resolve({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    // The control plane names this broker, which has not loaded the partition yet.
    if (coordinator.nodeId === this.nodeId) return Promise.resolve({ errorCode: here });
    return call.at(coordinator);
  }
}
