// The controller: one broker at a time, elected through etcd (the controller
// key, created if absent under the elected broker's lease, so it vanishes with
// that broker and the others campaign again). After every change it sees, the
// controller brings each partition in line with the live brokers
// (leader-election.ts) and completes the reassignments whose added replicas
// are in sync (reassignment.ts), by compare-and-swap on the state it read; a
// write that loses a race is decided again from the newer state the watch brings.

import type { Etcd3 } from 'etcd3';
import type { Logger } from '../logger.js';
import type { ClusterImage } from './cluster-image.js';
import type { BrokerRegistration } from './broker-registration.js';
import type { EtcdKeys } from './etcd-keys.js';
import { encode, partitionRecord } from './etcd-records.js';
import { compareAndSet } from './etcd-writes.js';
import { afterBrokerChange } from './leader-election.js';
import { completeReassignment } from './reassignment.js';

export class Controller {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly image: ClusterImage,
    private readonly registration: BrokerRegistration,
    private readonly nodeId: number,
    /** Whether a topic allows unclean leader election (its config, else the broker default). */
    private readonly uncleanAllowed: (topic: string) => boolean,
    private readonly log: Logger,
  ) {}

  /** Called after each change applied to the image: campaigns when there is no controller, reconciles when this broker is it. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      if (this.image.controllerId === -1) await this.campaign();
      else if (this.image.controllerId === this.nodeId && this.registration.registered()) await this.reconcile();
    } catch (err) {
      if (!this.stopped) this.log.warn({ err }, 'controller step failed; retried on the next change');
    }
  }

  private async campaign(): Promise<void> {
    const lease = this.registration.currentLeaseId();
    if (lease === null) return;
    const won = await compareAndSet(this.client, this.keys.controller(), '0', encode({ nodeId: this.nodeId }), lease);
    if (won !== null) this.log.info({ nodeId: this.nodeId }, 'elected controller');
  }

  private async reconcile(): Promise<void> {
    const live = new Set(this.image.brokers().map((b) => b.nodeId));
    for (const topic of this.image.topics()) {
      for (const p of topic.partitions) {
        const next = afterBrokerChange(p, live, this.uncleanAllowed(topic.name)) ?? completeReassignment(p);
        if (next === null) continue;
        const key = this.keys.partition(topic.name, p.partition);
        if (!this.registration.registered() || this.stopped) return;
        const written = await compareAndSet(this.client, key, this.image.modRevision(key), encode(partitionRecord(next)));
        // A lost race needs nothing more here: the watch brings the newer state, and with it another poke.
        if (written !== null) this.log.info({ topic: topic.name, partition: p.partition, leader: next.leader, leaderEpoch: next.leaderEpoch, isr: next.isr, replicas: next.replicas }, 'partition leadership changed');
      }
    }
  }
}
