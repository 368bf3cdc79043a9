// This broker's registration: brokers/<id> under an etcd lease renewed every
// third of its TTL. `registered()` holds only while the last keepalive that
// etcd acknowledged was *sent* less than a TTL ago, on a monotonic clock: etcd
// restarts the TTL no earlier than it receives a keepalive, so until then the
// lease surely holds. A process paused past its TTL sees false on resume,
// before any timer runs. A lease etcd reports lost is replaced by a new one and
// the key written again (the broker comes back; the controller has taken it out
// of every ISR meanwhile).

import type { Etcd3, Lease } from 'etcd3';
import type { Clock, Timer } from '../clock.js';
import { SluiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BrokerInfo } from './control-plane.js';
import type { EtcdKeys } from './etcd-keys.js';
import { encode } from './etcd-records.js';


export class BrokerRegistration {
  private lease: Lease | null = null;
  private leaseId = '';
  /** Monotonic time of the send of the last keepalive (or grant) that etcd acknowledged; -Infinity: none. */
  private lastConfirmedSend = -Infinity;
  private timer: Timer | null = null;
  private closed = false;
  private paused = false;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly self: BrokerInfo,
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly monotonicNow: () => number,
    private readonly log: Logger,
  ) {}

  /** Registers, or throws SLUICE_ERR_BROKER_ID_TAKEN when a live broker holds this id. */
  async start(): Promise<void> {
    await this.register();
    this.schedule();
  }

  registered(): boolean {
    return this.lease !== null && this.monotonicNow() - this.lastConfirmedSend < this.ttlMs;
  }

  /** The lease keys that must vanish with this broker are put under (the controller's key). */
  currentLeaseId(): string | null {
    return this.registered() ? this.leaseId : null;
  }

  /** Stops renewing without revoking: the registration lapses after its TTL, as if the process had died. */
  stopRenewing(): void {
    this.paused = true;
    this.timer?.cancel();
  }

  /** Revokes the lease: the broker leaves the cluster at once. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    const lease = this.lease;
    this.lease = null;
    await lease?.revoke().catch((err: unknown) => this.log.warn({ err }, 'revoking the broker lease failed; it lapses after its TTL'));
  }

  private async register(): Promise<void> {
    // etcd leases are granted in whole seconds; rounding up keeps registered() false before etcd drops the key.
    const lease = this.client.lease(Math.ceil(this.ttlMs / 1000), { autoKeepAlive: false });
    // keepalive() sees a loss in the answer it gets; the event adds nothing.
    lease.on('lost', () => {});
    const sent = this.monotonicNow();
    const id = await lease.grant();
    if (this.closed) {
      await lease.revoke();
      return;
    }
    const key = this.keys.broker(this.self.nodeId);
    const txn = await this.client
      .if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(encode(this.self)).lease(id))
      .else(this.client.get(key))
      .commit();
    if (!txn.succeeded) {
      await lease.revoke().catch(() => {});
      const holder = txn.responses[0]?.response_range?.kvs?.[0]?.value?.toString() ?? '?';
      throw new SluiceError('SLUICE_ERR_BROKER_ID_TAKEN', `broker id ${this.self.nodeId} is already registered by a live broker (${holder})`, {
        hint: `give this broker another --node-id, or stop the other one; after a crash, its registration lapses within ${this.ttlMs} ms (--broker-lease-ttl-ms)`,
      });
    }
    this.lease = lease;
    this.leaseId = id;
    this.lastConfirmedSend = sent;
  }

  private schedule(): void {
    if (this.closed || this.paused) return;
    this.timer = this.clock.schedule(Math.max(100, Math.floor(this.ttlMs / 3)), () => void this.renew());
  }

  private async renew(): Promise<void> {
    try {
      if (this.lease !== null) await this.keepalive(this.lease);
      if (this.lease === null && !this.closed) {
        await this.register();
        this.log.info({ nodeId: this.self.nodeId }, 'broker registered again with a new lease');
      }
    } catch (err) {
      if (!this.closed) this.log.warn({ err }, 'renewing the broker registration failed');
    }
    this.schedule();
  }

  /** One keepalive; a lease etcd no longer knows is dropped (registered() is false from then on). */
  private async keepalive(lease: Lease): Promise<void> {
    const sent = this.monotonicNow();
    try {
      const res = await lease.keepaliveOnce({ deadline: Date.now() + this.ttlMs / 3 });
      if (this.lease === lease && Number(res.TTL) > 0) this.lastConfirmedSend = sent;
    } catch (err) {
      if (!lease.revoked() || this.lease !== lease) throw err;
      this.log.warn({ nodeId: this.self.nodeId }, 'broker lease lost; registering again');
      this.lease = null;
    }
  }
}
