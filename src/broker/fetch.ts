// The fetch path: read whole batches below the high watermark (below the last
// stable offset for read_committed, with the aborted transactions that overlap
// what is returned), and when fewer
// than min_bytes are there, park on the partitions until data arrives or
// max_wait_ms passes (long-poll: an idle consumer costs a timer, no CPU).
//
// Size limits (KIP-74): partitions are read in request order; until the
// response holds data, a partition's first batch is returned whole even past
// max_bytes and partition_max_bytes, so a large record always makes progress.
// After that every partition gets only whole batches that fit both limits.
//
// An error partition carries an empty record set, never a null one: librdkafka
// fails the whole response on a null set and never sees the error code.
//
// A batch recorded as corrupt on disk is never sent: a fetch starting at it is
// answered CORRUPT_MESSAGE, and a fetch before it stops short of it. Not
// KAFKA_STORAGE_ERROR: librdkafka takes that for a leader problem and retries
// silently after metadata refreshes, while CORRUPT_MESSAGE reaches the
// application as a consumer error (and is retried after a backoff); kafkajs
// retries both as retriable errors and reports them when its retries run out.
//
// Read-your-writes: acks=1 is answered before the fsync that lets the high
// watermark pass the record. Before answering, a partition fetched at an offset
// between its high watermark and its log end waits for the log end to be
// committed (Partition.awaitLogEnd: the fsync covering it) and is read again, so a
// client never gets "nothing there" for a record it was told is written.
//
// Followers fetch with their replica id (replica-fetcher.ts): they read up to
// the log end, not the high watermark; their fetch offset is the log end they
// hold, recorded on the leader (which may move the high watermark and add
// them to the ISR); a parked follower fetch wakes on appends. Only the leader
// serves either kind, and a request naming a leader epoch is checked against
// it (leader-check.ts).

import type { BufferPool } from '../protocol/buffer-pool.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { batchLastOffset, batchSize } from '../protocol/record-batch.js';
import { countBatchRecords } from '../protocol/records.js';
import { CorruptBatchError } from '../storage/corrupt-batch.js';
import type { Broker } from './broker.js';
import type { Partition } from './partition.js';
import type { AbortedTxn } from './partition-txns.js';
import { leaderError } from './leader-check.js';

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** The leader epoch the fetcher knows (Fetch v9+); -1: unchecked. */
  currentLeaderEpoch: number;
}

export interface FetchPartitionResult {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer;
  /** read_committed only: aborted transactions overlapping the returned range; null otherwise. */
  abortedTransactions: AbortedTxn[] | null;
}

export interface FetchLimits {
  maxWaitMs: number;
  minBytes: number;
  /** Cap on the whole response; the first batch found is returned even if larger (KIP-74). */
  maxBytes: number;
  /** isolation_level 1: read only below the last stable offset. */
  readCommitted?: boolean;
  /** A follower's broker id; -1 (the default) for a consumer. */
  replicaId?: number;
  /** The pool reads from disk land in (PartitionLog.read); a read not answered goes back at once. Fresh buffers without it. */
  buffers?: BufferPool;
}

const NO_RECORDS = Buffer.alloc(0);

function errorResult(errorCode: number, p?: Partition): FetchPartitionResult {
  return {
    errorCode,
    highWatermark: p?.highWatermark ?? -1,
    lastStableOffset: p?.highWatermark ?? -1,
    logStartOffset: p?.logStartOffset ?? -1,
    records: NO_RECORDS,
    abortedTransactions: null,
  };
}

function readAll(
  broker: Broker,
  requests: FetchPartitionRequest[],
  limits: FetchLimits,
  /** The request's first read: a follower's position is what it asked when it asked, not again when a long-poll wakes (its connection may be gone by then). */
  arrival: boolean,
): { results: FetchPartitionResult[]; bytes: number; failed: boolean } {
  const readCommitted = limits.readCommitted ?? false;
  const replicaId = limits.replicaId ?? -1;
  let budget = limits.maxBytes;
  let bytes = 0;
  let failed = false;
  const results = requests.map((req) => {
    const p = broker.partition(req.topic, req.partition);
    if (!p) {
      failed = true;
      return errorResult(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    const notServed = leaderError(p, req.currentLeaderEpoch);
    if (notServed !== ErrorCode.NONE) {
      failed = true;
      return errorResult(notServed, p);
    }
    if (p.offline) {
      failed = true;
      return errorResult(ErrorCode.KAFKA_STORAGE_ERROR, p);
    }
    if (req.fetchOffset < p.logStartOffset || req.fetchOffset > p.logEndOffset) {
      failed = true;
      return errorResult(ErrorCode.OFFSET_OUT_OF_RANGE, p);
    }
    if (replicaId >= 0 && arrival) {
      p.followerFetched(replicaId, req.fetchOffset, broker.clock.now());
      broker.isrChanges.afterFollowerFetch(p, replicaId);
    }
    // Until the response holds data, the first batch goes whole; after that only what fits (KIP-74).
    const firstData = bytes === 0;
    const limit = Math.min(req.partitionMaxBytes, budget);
    const lastStableOffset = p.lastStableOffset;
    const end = replicaId >= 0 ? p.logEndOffset : readCommitted ? lastStableOffset : p.highWatermark;
    let records: Buffer;
    try {
      records = (firstData || limit > 0) && req.fetchOffset < end ? p.log.read(req.fetchOffset, limit, end, firstData, limits.buffers?.take) : NO_RECORDS;
    } catch (err) {
      if (!(err instanceof CorruptBatchError)) throw err;
      failed = true;
      return errorResult(ErrorCode.CORRUPT_MESSAGE, p);
    }
    bytes += records.length;
    budget -= records.length;
    return {
      errorCode: ErrorCode.NONE,
      highWatermark: p.highWatermark,
      lastStableOffset,
      logStartOffset: p.logStartOffset,
      records,
      abortedTransactions: readCommitted ? p.txns.abortedIn(req.fetchOffset, endOffsetOf(records, req.fetchOffset)) : null,
    };
  });
  return { results, bytes, failed };
}

/** One past the last offset in `records`, or `from` when there is none. */
function endOffsetOf(records: Buffer, from: number): number {
  let end = from;
  for (let pos = 0; pos < records.length; pos += batchSize(records, pos)) end = batchLastOffset(records, pos) + 1;
  return end;
}

export async function fetchPartitions(broker: Broker, requests: FetchPartitionRequest[], limits: FetchLimits): Promise<FetchPartitionResult[]> {
  const deadline = Date.now() + limits.maxWaitMs;
  const replicaId = limits.replicaId ?? -1;
  for (let arrival = true; ; arrival = false) {
    const read = readAll(broker, requests, limits, arrival);
    const remaining = deadline - Date.now();
    if (replicaId >= 0 && (read.bytes >= limits.minBytes || read.failed || remaining <= 0)) return read.results;
    if (read.bytes >= limits.minBytes || read.failed || remaining <= 0) {
      const uncommitted = uncommittedAtFetchOffset(broker, requests);
      if (uncommitted.length === 0) return countedOut(broker, requests, read.results);
      giveBack(read.results, limits.buffers);
      await Promise.all(uncommitted.map((p) => p.awaitLogEnd()));
      return countedOut(broker, requests, readAll(broker, requests, limits, false).results);
    }
    giveBack(read.results, limits.buffers);
    await waitForData(broker, requests, remaining, replicaId >= 0);
  }
}

/** Reads a long-poll will not answer with: nothing else holds them. */
function giveBack(results: FetchPartitionResult[], buffers: BufferPool | undefined): void {
  if (buffers) for (const r of results) buffers.give(r.records);
}

/** Adds what goes out to each partition's traffic (the answer, not the reads a long-poll discarded). */
function countedOut(broker: Broker, requests: FetchPartitionRequest[], results: FetchPartitionResult[]): FetchPartitionResult[] {
  for (let i = 0; i < results.length; i++) {
    const records = results[i].records;
    if (records.length === 0) continue;
    const traffic = (broker.partition(requests[i].topic, requests[i].partition) as Partition).traffic;
    traffic.recordsOut += countBatchRecords(records);
    traffic.bytesOut += records.length;
  }
  return results;
}

/** Partitions holding appended records not yet committed at the offset they are fetched from. */
function uncommittedAtFetchOffset(broker: Broker, requests: FetchPartitionRequest[]): Partition[] {
  const out: Partition[] = [];
  for (const req of requests) {
    const p = broker.partition(req.topic, req.partition);
    if (p && p.isLeader && p.highWatermark <= req.fetchOffset && req.fetchOffset < p.logEndOffset) out.push(p);
  }
  return out;
}

function waitForData(broker: Broker, requests: FetchPartitionRequest[], timeoutMs: number, onAppends: boolean): Promise<void> {
  return new Promise((resolve) => {
    const cancels: (() => void)[] = [];
    const done = () => {
      clearTimeout(timer);
      for (const cancel of cancels) cancel();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    for (const req of requests) {
      const p = broker.partition(req.topic, req.partition);
      if (p) cancels.push(onAppends ? p.onAppendOrData(done) : p.onData(done));
    }
  });
}
