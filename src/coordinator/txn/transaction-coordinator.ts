// The transaction coordinator (KIP-98): transactional id -> producer id and
// epoch, state, partitions, timeout. A transactional id is coordinated by the
// leader of its partition of __transaction_state: this broker loads a
// partition's transactions when it becomes its leader (all of them at start-up
// on a single node; those found in Prepare* are completed at once) and drops
// them when it stops; requests for an id not loaded here answer
// NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while loading). Markers go
// straight into the partitions this broker leads and through WriteTxnMarkers
// to the leaders of the others (txn-marker.ts, txn-marker-sender.ts).
//
//   Empty | CompleteCommit | CompleteAbort --AddPartitions/AddOffsets--> Ongoing
//   Ongoing --EndTxn(commit)--> PrepareCommit --markers--> CompleteCommit
//   Ongoing --EndTxn(abort) | timeout | InitProducerId--> PrepareAbort --markers--> CompleteAbort
//
// Ownership: `txns` changes only here. Requests for one transactional id run
// one after another (a promise chain per id), so a transition's checks and its
// log write never interleave with another request for the same id. Every state
// is written to __transaction_state and applied once the write is committed.
//
// Fencing: InitProducerId bumps the epoch (a new producer id once the epoch
// would overflow); a request with an older epoch gets PRODUCER_FENCED (handlers
// map it to INVALID_PRODUCER_EPOCH for versions before KIP-588). A timed-out
// transaction is aborted with a bumped epoch too, so its producer is fenced.
//
// TxnOffsetCommit offsets are not kept here: the group coordinator writes them
// at once to the group's __consumer_offsets partition as a transactional batch
// of the producer (AddOffsetsToTxn put that partition in the transaction), and
// applies them when this coordinator's COMMIT marker there is committed (drops
// them on ABORT). The log is their only store, so they survive a restart; a
// transaction found Ongoing at start-up is ended by EndTxn or its timeout, one
// found in Prepare* is completed at once, markers included.

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { systemClock } from '../../clock.js';
import type { GroupCoordinator, MemberIdentity, OffsetCommitEntry } from '../group/group-coordinator.js';
import { offsetsPartitionFor } from '../group/offsets-log.js';
import { OFFSETS_TOPIC } from '../group/offset-store.js';
import { TXN_STATES, type StoredTxn, type TxnState } from './txn-log.js';
import { TxnStateStore } from './txn-state-store.js';
import { TxnMarkerSender } from './txn-marker-sender.js';
import { markerTarget, writeMarkerHere } from './txn-marker.js';
import { writeFailureCode } from '../not-coordinator-error.js';

/** Hands out producer ids that are never handed out again (the broker's ProducerIdManager). */
export type AllocateProducerId = () => Promise<number>;

/** Epochs are int16; past this the coordinator moves to a new producer id (as Kafka). */
const MAX_EPOCH = 32767 - 1;

interface Txn extends StoredTxn {
  transactionalId: string;
  /** Tail of this id's request chain. */
  queue: Promise<unknown>;
}

export interface TopicPartitionsResult {
  topic: string;
  partitions: { partition: number; errorCode: number }[];
}

export interface TxnDescription {
  errorCode: number;
  transactionalId: string;
  state: string;
  timeoutMs: number;
  startMs: number;
  producerId: number;
  producerEpoch: number;
  topics: { topic: string; partitions: number[] }[];
}

export class TransactionCoordinator {
  private readonly txns = new Map<string, Txn>();
  private readonly store: TxnStateStore;
  /** Markers for partitions other brokers lead. */
  private readonly markers: TxnMarkerSender;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly broker: Broker,
    private readonly groups: GroupCoordinator,
    private readonly config: BrokerConfig,
    private readonly allocateProducerId: AllocateProducerId,
    log: Logger,
  ) {
    this.log = log.child({ module: 'txn-coordinator' });
    this.store = new TxnStateStore(broker, config, this.log);
    this.markers = new TxnMarkerSender(broker.cluster, systemClock, this.log, broker.interBrokerSecurity);
  }

  /**
   * Loads the transactions of every partition of __transaction_state this
   * broker leads, finishing those caught mid-completion, and from now on
   * follows their leadership; call before serving requests.
   */
  start(): void {
    this.store.start({
      txn: (_partition, id, value) => {
        if (value === null) this.txns.delete(id);
        else this.txns.set(id, { ...value, transactionalId: id, queue: Promise.resolve() });
      },
      loaded: (partition) => {
        for (const txn of this.txns.values()) {
          if (this.store.partitionOf(txn.transactionalId) !== partition) continue;
          if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') {
            this.enqueue(txn, () => this.finish(txn)).catch((err) => this.log.error({ err, transactionalId: txn.transactionalId }, 'transaction could not be completed'));
          }
        }
      },
      // Requests already queued for these ids go on, and their writes fail with NOT_COORDINATOR.
      unload: (partition) => {
        for (const id of [...this.txns.keys()]) if (this.store.partitionOf(id) === partition) this.txns.delete(id);
      },
    });
    this.timer = setInterval(() => this.abortExpired(), this.config.transactionTimeoutCheckIntervalMs);
    this.timer.unref();
  }

  /** Creates __transaction_state unless it exists (FindCoordinator with key type 1 calls this). */
  ensureTopic(): Promise<void> {
    return this.store.ensureTopic();
  }

  /** Stops the timeout check and waits for every request in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.store.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.markers.close();
    await Promise.all([...this.txns.values()].map((t) => t.queue));
    await this.store.settle();
  }

  /** NONE when `transactionalId` is coordinated here, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  coordinatorError(transactionalId: string): number {
    return this.store.ownership(transactionalId);
  }

  // ---- requests ---------------------------------------------------------------------------------

  /** InitProducerId with a transactional id: a new producer id, or the current one with a bumped epoch. */
  async initProducerId(
    transactionalId: string,
    timeoutMs: number,
    current: { producerId: number; producerEpoch: number } = { producerId: -1, producerEpoch: -1 },
  ): Promise<{ errorCode: number; producerId: number; producerEpoch: number }> {
    const fail = (errorCode: number) => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.config.transactionMaxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    try {
      await this.store.ensureTopic();
    } catch (err) {
      this.log.error({ err }, 'cannot create __transaction_state');
      return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const notHere = this.coordinatorError(transactionalId);
    if (notHere !== ErrorCode.NONE) return fail(notHere);
    let txn = this.txns.get(transactionalId);
    if (!txn) {
      txn = { transactionalId, producerId: -1, producerEpoch: -1, timeoutMs, state: 'Empty', partitions: new Map(), lastUpdateMs: Date.now(), startMs: -1, queue: Promise.resolve() };
      this.txns.set(transactionalId, txn);
    }
    const t = txn;
    return this.enqueue(t, async () => {
      // KIP-360: a producer that names its id and epoch may only bump the current ones.
      if (current.producerId >= 0 && (current.producerId !== t.producerId || current.producerEpoch !== t.producerEpoch)) {
        return fail(ErrorCode.PRODUCER_FENCED);
      }
      if (t.state === 'Ongoing') await this.endTransaction(t, false, true);
      else if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') await this.finish(t);
      let producerId = t.producerId;
      let producerEpoch = t.producerEpoch + 1;
      if (producerId < 0 || producerEpoch > MAX_EPOCH) {
        producerId = await this.allocateProducerId();
        producerEpoch = 0;
      }
      await this.transition(t, { producerId, producerEpoch, timeoutMs, state: 'Empty', partitions: new Map(), startMs: -1 });
      this.log.info({ transactionalId, producerId, producerEpoch }, 'transactional producer initialized');
      return { errorCode: ErrorCode.NONE, producerId, producerEpoch };
    }).catch((err) => {
      this.log.error({ err, transactionalId }, 'InitProducerId could not be written');
      return fail(writeFailureCode(err));
    });
  }

  /** AddPartitionsToTxn: one error code per partition. */
  async addPartitions(transactionalId: string, producerId: number, producerEpoch: number, topics: { topic: string; partitions: number[] }[]): Promise<TopicPartitionsResult[]> {
    const all = (errorCode: number) => topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition, errorCode })) }));
    const txn = this.txns.get(transactionalId);
    const early = this.coordinatorError(transactionalId) || this.producerError(txn, producerId, producerEpoch);
    if (early !== ErrorCode.NONE) return all(early);
    const t = txn!;
    return this.enqueue(t, async () => {
      const error = this.producerError(t, producerId, producerEpoch) || this.addableError(t);
      if (error !== ErrorCode.NONE) return all(error);
      const unknown = topics.map((tp) => {
        const meta = this.broker.cluster.topic(tp.topic);
        return tp.partitions.map((p) => !meta || p < 0 || p >= meta.partitions.length);
      });
      if (unknown.some((u) => u.includes(true))) {
        return topics.map((tp, i) => ({
          topic: tp.topic,
          partitions: tp.partitions.map((partition, j) => ({ partition, errorCode: unknown[i][j] ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED })),
        }));
      }
      await this.addToTransaction(t, topics);
      return all(ErrorCode.NONE);
    }).catch((err) => {
      this.log.error({ err, transactionalId }, 'AddPartitionsToTxn could not be written');
      return all(writeFailureCode(err));
    });
  }

  /** AddOffsetsToTxn: adds the group's __consumer_offsets partition to the transaction. */
  async addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<number> {
    const txn = this.txns.get(transactionalId);
    const early = this.coordinatorError(transactionalId) || this.producerError(txn, producerId, producerEpoch);
    if (early !== ErrorCode.NONE) return early;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const t = txn!;
    try {
      await this.groups.ensureOffsetsTopic();
      const partitions = this.broker.cluster.topic(OFFSETS_TOPIC)!.partitions.length;
      return await this.enqueue(t, async () => {
        const error = this.producerError(t, producerId, producerEpoch) || this.addableError(t);
        if (error !== ErrorCode.NONE) return error;
        await this.addToTransaction(t, [{ topic: OFFSETS_TOPIC, partitions: [offsetsPartitionFor(groupId, partitions)] }]);
        return ErrorCode.NONE;
      });
    } catch (err) {
      this.log.error({ err, transactionalId }, 'AddOffsetsToTxn could not be written');
      return writeFailureCode(err);
    }
  }

  /**
   * TxnOffsetCommit: writes the offsets to __consumer_offsets as part of the
   * transaction; one error code per entry, in order. Resolves once they are committed.
   */
  async commitOffsets(
    transactionalId: string,
    groupId: string,
    producerId: number,
    producerEpoch: number,
    member: MemberIdentity & { generationId: number },
    entries: OffsetCommitEntry[],
  ): Promise<number[]> {
    const txn = this.txns.get(transactionalId);
    const early = this.coordinatorError(transactionalId) || this.producerError(txn, producerId, producerEpoch) || this.groups.transactionalCommitError(groupId, member);
    if (early !== ErrorCode.NONE) return entries.map(() => early);
    const t = txn!;
    return this.enqueue(t, async () => {
      const error = this.producerError(t, producerId, producerEpoch);
      if (error !== ErrorCode.NONE) return entries.map(() => error);
      const offsetsTopic = this.broker.cluster.topic(OFFSETS_TOPIC);
      const added = offsetsTopic && t.state === 'Ongoing' && t.partitions.get(OFFSETS_TOPIC)?.includes(offsetsPartitionFor(groupId, offsetsTopic.partitions.length));
      if (!added) return entries.map(() => ErrorCode.INVALID_TXN_STATE);
      // In this id's request chain, so EndTxn's markers always follow the batch.
      return this.groups.commitTransactionalOffsets(groupId, producerId, producerEpoch, entries);
    }).catch((err) => {
      this.log.error({ err, transactionalId }, 'TxnOffsetCommit could not be written');
      return entries.map(() => writeFailureCode(err));
    });
  }

  /** EndTxn: commits or aborts; resolves once the markers are committed in every partition. */
  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<number> {
    const txn = this.txns.get(transactionalId);
    const early = this.coordinatorError(transactionalId) || this.producerError(txn, producerId, producerEpoch);
    if (early !== ErrorCode.NONE) return early;
    const t = txn!;
    return this.enqueue(t, async () => {
      const error = this.producerError(t, producerId, producerEpoch);
      if (error !== ErrorCode.NONE) return error;
      // A retried EndTxn whose first try completed.
      if (t.state === (commit ? 'CompleteCommit' : 'CompleteAbort')) return ErrorCode.NONE;
      if (t.state !== 'Ongoing') return ErrorCode.INVALID_TXN_STATE;
      await this.endTransaction(t, commit, false);
      return ErrorCode.NONE;
    }).catch((err) => {
      this.log.error({ err, transactionalId }, 'EndTxn could not complete');
      return writeFailureCode(err);
    });
  }

  // ---- tooling ----------------------------------------------------------------------------------

  describe(transactionalId: string): TxnDescription {
    const t = this.txns.get(transactionalId);
    const notHere = this.coordinatorError(transactionalId);
    if (!t || t.producerId < 0 || notHere !== ErrorCode.NONE) {
      return { errorCode: notHere || ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId, state: '', timeoutMs: 0, startMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      state: t.state,
      timeoutMs: t.timeoutMs,
      startMs: t.startMs,
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      topics: [...t.partitions].map(([topic, partitions]) => ({ topic, partitions: [...partitions] })),
    };
  }

  /** ListTransactions: states and producer ids filter when not empty; unknown state names are reported back. */
  list(states: string[], producerIds: number[]): { unknownStates: string[]; transactions: { transactionalId: string; producerId: number; state: string }[] } {
    const known = new Set<string>(TXN_STATES);
    const unknownStates = states.filter((s) => !known.has(s));
    const wantedStates = new Set(states);
    const wantedIds = new Set(producerIds);
    const transactions = [];
    for (const t of this.txns.values()) {
      if (t.producerId < 0) continue;
      if (wantedStates.size > 0 && !wantedStates.has(t.state)) continue;
      if (wantedIds.size > 0 && !wantedIds.has(t.producerId)) continue;
      transactions.push({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.state });
    }
    return { unknownStates, transactions };
  }

  // ---- timeouts ---------------------------------------------------------------------------------

  /** Aborts (with an epoch bump) every transaction open longer than its timeout as of `now`. Returns how many. */
  abortExpired(now = Date.now()): number {
    let count = 0;
    for (const t of this.txns.values()) {
      if (t.state !== 'Ongoing' || now - t.startMs < t.timeoutMs) continue;
      count++;
      this.enqueue(t, async () => {
        if (t.state !== 'Ongoing' || Date.now() - t.startMs < t.timeoutMs) return;
        this.log.info({ transactionalId: t.transactionalId, producerId: t.producerId, timeoutMs: t.timeoutMs }, 'aborting a transaction past its timeout');
        await this.endTransaction(t, false, true);
      }).catch((err) => this.log.error({ err, transactionalId: t.transactionalId }, 'timed-out transaction could not be aborted'));
    }
    for (const t of this.txns.values()) {
      // Completions a failed write left behind are retried here.
      if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') {
        this.enqueue(t, () => this.finish(t)).catch((err) => this.log.error({ err, transactionalId: t.transactionalId }, 'transaction could not be completed'));
      }
    }
    return count;
  }

  // ---- transitions ------------------------------------------------------------------------------

  private enqueue<T>(t: Txn, fn: () => Promise<T>): Promise<T> {
    const run = t.queue.then(() => {
      if (this.closed) throw new Error('the transaction coordinator is closed');
      return fn();
    });
    t.queue = run.catch(() => {});
    return run;
  }

  /** NONE, or why a request with this producer id and epoch is refused. */
  private producerError(t: Txn | undefined, producerId: number, producerEpoch: number): number {
    if (!t || t.producerId < 0 || t.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch < t.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (producerEpoch > t.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    return ErrorCode.NONE;
  }

  private addableError(t: Txn): number {
    return t.state === 'PrepareCommit' || t.state === 'PrepareAbort' ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.NONE;
  }

  private async addToTransaction(t: Txn, topics: { topic: string; partitions: number[] }[]): Promise<void> {
    const ongoing = t.state === 'Ongoing';
    const partitions = new Map<string, number[]>(ongoing ? [...t.partitions].map(([k, v]) => [k, [...v]]) : []);
    let grew = false;
    for (const tp of topics) {
      const list = partitions.get(tp.topic) ?? [];
      for (const p of tp.partitions) {
        if (list.includes(p)) continue;
        list.push(p);
        grew = true;
      }
      partitions.set(tp.topic, list);
    }
    if (ongoing && !grew) return;
    await this.transition(t, { state: 'Ongoing', partitions, startMs: ongoing ? t.startMs : Date.now() });
  }

  /** Writes Prepare*, then completes. `fence` bumps the epoch first (InitProducerId, timeouts). */
  private async endTransaction(t: Txn, commit: boolean, fence: boolean): Promise<void> {
    const producerEpoch = fence && t.producerEpoch < MAX_EPOCH ? t.producerEpoch + 1 : t.producerEpoch;
    await this.transition(t, { state: commit ? 'PrepareCommit' : 'PrepareAbort', producerEpoch });
    await this.finish(t);
  }

  /**
   * From Prepare*: markers in every partition, then Complete*. A partition
   * this broker leads takes its marker directly (txn-marker.ts), one led
   * elsewhere through WriteTxnMarkers, retried until it lands.
   */
  private async finish(t: Txn): Promise<void> {
    if (t.state !== 'PrepareCommit' && t.state !== 'PrepareAbort') return;
    const commit = t.state === 'PrepareCommit';
    const waits: Promise<void>[] = [];
    for (const [topic, partitions] of t.partitions) {
      for (const partition of partitions) {
        const target = markerTarget(this.broker, topic, partition);
        // A topic deleted during the transaction has nothing left to mark.
        if (target === 'here') waits.push(writeMarkerHere(this.broker, this.groups, topic, partition, t.producerId, t.producerEpoch, commit));
        else if (target === 'elsewhere') waits.push(this.markers.send({ topic, partition, producerId: t.producerId, producerEpoch: t.producerEpoch, commit }));
      }
    }
    await Promise.all(waits);
    await this.transition(t, { state: commit ? 'CompleteCommit' : 'CompleteAbort', partitions: new Map(), startMs: -1 });
    this.log.debug({ transactionalId: t.transactionalId, producerId: t.producerId, commit }, 'transaction completed');
  }

  /** Writes the changed state; applies it once committed. */
  private async transition(t: Txn, change: Partial<StoredTxn> & { state: TxnState }): Promise<void> {
    const next: StoredTxn = {
      producerId: change.producerId ?? t.producerId,
      producerEpoch: change.producerEpoch ?? t.producerEpoch,
      timeoutMs: change.timeoutMs ?? t.timeoutMs,
      state: change.state,
      partitions: change.partitions ?? t.partitions,
      lastUpdateMs: Date.now(),
      startMs: change.startMs ?? t.startMs,
    };
    await this.store.write(t.transactionalId, next);
    Object.assign(t, next);
  }
}
