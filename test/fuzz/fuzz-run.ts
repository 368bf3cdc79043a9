// Drives mutated frames at a broker in another process and watches it from
// outside: its resident memory (/proc/<pid>/status VmRSS) and whether a fresh
// connection still gets ApiVersions and Metadata answered.
//
// Each of `connections` workers takes the next frame indices, sends a batch
// of them on its socket and then a sentinel ApiVersions request; responses
// come back in request order, so the sentinel's answer means the broker has
// dealt with the whole batch. A closed connection (the broker hangs up on an
// unreadable frame) is reopened; a batch that ends in a frame with a wrong size
// prefix is followed by FIN instead of the sentinel. A sentinel not answered
// in time counts as stalled (a mutated request may legitimately wait long,
// e.g. a Fetch with a huge max_wait_ms), and that socket is dropped.

import fs from 'node:fs';
import net from 'node:net';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';
import type { MutatedFrame } from './mutator.js';

/** Frames sent before each sentinel. */
const BATCH_FRAMES = 1;
/** How long a sentinel or a close may take before the socket counts as stalled (ms). */
export const SENTINEL_TIMEOUT_MS = 3000;
/** How often a fresh connection checks that the broker answers, and how long it may take (ms). */
const PROBE_INTERVAL_MS = 2000;
const PROBE_TIMEOUT_MS = 5000;
const RSS_SAMPLE_MS = 200;
const PROGRESS_MS = 5000;
/** Frames kept per worker to name in a failure (the broker may have died on any of them). */
const RECENT_FRAMES = 4;
const MAX_STALLED_LISTED = 10;
const SENTINEL = encodeRequest(ApiVersionsRequest, 0, {}, -1, 'fuzz-sentinel');

export interface FuzzOptions {
  port: number;
  /** Where fresh connections are probed (a PLAINTEXT listener of the same broker); default `port`. */
  probePort?: number;
  /** The broker's pid, for VmRSS and liveness. */
  pid: number;
  /** Frame `index` of the run (0 ≤ index < frames), or null to skip it. */
  frameAt(index: number): MutatedFrame | null;
  frames: number;
  connections: number;
  /** Frames per sentinel: 1 to replay suspects one by one. */
  batchFrames?: number;
  /** Fails the run once VmRSS passes this (KiB). */
  rssLimitKiB: number;
  progress?: (line: string) => void;
}

export interface FuzzStats {
  sent: number;
  /** Frames answered with a response frame carrying their correlation id. */
  answered: number;
  /** Connections the broker closed (reopened afterwards). */
  closedByBroker: number;
  /** Sentinels or closes that did not come in time. */
  stalled: number;
  /** The first stalled frames: index, api key and version as sent, and the mutation. */
  stalledFrames: string[];
  badSizeFrames: number;
  /** Frames frameAt held back. */
  skipped: number;
  probes: number;
  peakRssKiB: number;
  startRssKiB: number;
  elapsedMs: number;
}

export class FuzzFailure extends Error {
  constructor(
    reason: string,
    readonly stats: FuzzStats,
    readonly suspects: readonly { index: number; source: number; mutation: string; hex: string }[],
  ) {
    super(reason);
  }
}

export function vmRssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** A fresh connection asks ApiVersions v0 and Metadata v1 (all topics); throws unless both are answered well. */
export async function probeBroker(port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const raw = await RawSocket.connect({ after: () => {} }, port);
  try {
    await raw.write(Buffer.concat([encodeRequest(ApiVersionsRequest, 0, {}, 1, 'fuzz-probe'), encodeRequest(MetadataRequest, 1, { topics: null }, 2, 'fuzz-probe')]));
    const versions = decodeResponse(await raw.nextFrame(timeoutMs), ApiVersionsResponse, 0);
    if (versions.correlationId !== 1 || versions.body.errorCode !== 0) throw new Error(`ApiVersions answered ${JSON.stringify(versions)}`);
    const metadata = decodeResponse(await raw.nextFrame(timeoutMs), MetadataResponse, 1);
    if (metadata.correlationId !== 2 || metadata.body.brokers.length !== 1) throw new Error(`Metadata answered ${JSON.stringify(metadata.body.brokers)}`);
  } finally {
    raw.socket.destroy();
  }
}

/** One worker's socket: counts answers by correlation id, notices the close. */
class FuzzSocket {
  private pending: Buffer = Buffer.alloc(0);
  readonly answered = new Set<number>();
  closed = false;
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 8 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        this.answered.add(this.pending.readInt32BE(4));
        this.pending = this.pending.subarray(4 + this.pending.readInt32BE(0));
      }
      this.notify();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static connect(port: number): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.off('error', reject);
        resolve(new FuzzSocket(s));
      });
      s.once('error', reject);
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  send(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Resolves 'answered' (the sentinel's response came), 'closed' or 'timeout'. */
  async settle(expectAnswer: boolean, timeoutMs: number): Promise<'answered' | 'closed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (expectAnswer && this.answered.has(-1)) return 'answered';
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** Sends `frames` frames and watches the broker; throws FuzzFailure on a finding. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzStats> {
  const started = Date.now();
  const startRssKiB = vmRssKiB(o.pid);
  const stats: FuzzStats = { sent: 0, answered: 0, closedByBroker: 0, stalled: 0, stalledFrames: [], badSizeFrames: 0, skipped: 0, probes: 0, peakRssKiB: startRssKiB, startRssKiB, elapsedMs: 0 };
  const total = o.frames;
  const perBatch = o.batchFrames ?? BATCH_FRAMES;
  let taken = 0;
  let failure: string | null = null;
  const recent = new Map<number, MutatedFrame & { index: number }>();
  const fail = (reason: string) => {
    failure ??= reason;
  };

  const worker = async (): Promise<void> => {
    const mine: number[] = [];
    let conn: FuzzSocket | null = null;
    while (failure === null && taken < total) {
      const batch: (MutatedFrame & { index: number })[] = [];
      while (batch.length < perBatch && taken < total) {
        const index = taken++;
        const mutated = o.frameAt(index);
        if (!mutated) {
          stats.skipped++;
          continue;
        }
        const frame = { ...mutated, index };
        batch.push(frame);
        if (!frame.sizeValid) break;
      }
      if (batch.length === 0) continue;
      for (const f of batch) {
        recent.set(f.index, f);
        mine.push(f.index);
        if (mine.length > RECENT_FRAMES) recent.delete(mine.shift()!);
      }
      try {
        conn ??= await FuzzSocket.connect(o.port);
      } catch (err) {
        fail(`could not connect: ${(err as Error).message}`);
        return;
      }
      const endsValid = batch[batch.length - 1].sizeValid;
      conn.send(Buffer.concat([...batch.map((f) => f.bytes), ...(endsValid ? [SENTINEL] : [])]));
      if (!endsValid) {
        stats.badSizeFrames++;
        conn.end();
      }
      stats.sent += batch.length;
      const outcome = await conn.settle(endsValid, SENTINEL_TIMEOUT_MS);
      stats.answered += batch.filter((f) => conn!.answered.has(f.index)).length;
      if (outcome === 'answered') {
        conn.answered.clear();
        continue;
      }
      if (outcome === 'closed') stats.closedByBroker++;
      else if (endsValid) {
        stats.stalled++;
        const f = batch[batch.length - 1];
        if (stats.stalledFrames.length < MAX_STALLED_LISTED && f.bytes.length >= 8) {
          stats.stalledFrames.push(`frame ${f.index}: api ${f.bytes.readInt16BE(4)} v${f.bytes.readInt16BE(6)} (${f.mutation})`);
        }
      }
      conn.destroy();
      conn = null;
    }
    conn?.destroy();
  };

  let lastProgress = Date.now();
  let lastSent = 0;
  const rssTimer = setInterval(() => {
    if (!isAlive(o.pid)) return fail('the broker process is gone');
    stats.peakRssKiB = Math.max(stats.peakRssKiB, vmRssKiB(o.pid));
    if (stats.peakRssKiB > o.rssLimitKiB) fail(`VmRSS ${stats.peakRssKiB} KiB passed the limit of ${o.rssLimitKiB} KiB`);
    if (o.progress && Date.now() - lastProgress >= PROGRESS_MS) {
      const rate = ((stats.sent - lastSent) * 1000) / (Date.now() - lastProgress);
      o.progress(`${stats.sent}/${total} frames, ${rate.toFixed(0)} frames/s, VmRSS ${(vmRssKiB(o.pid) / 1024).toFixed(0)} MiB (peak ${(stats.peakRssKiB / 1024).toFixed(0)}), ${stats.closedByBroker} closes, ${stats.stalled} stalls`);
      lastProgress = Date.now();
      lastSent = stats.sent;
    }
  }, RSS_SAMPLE_MS);
  let probing = true;
  const prober = (async () => {
    while (probing && failure === null) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
      if (!probing) break;
      try {
        await probeBroker(o.probePort ?? o.port);
        stats.probes++;
      } catch (err) {
        fail(`a fresh connection was not answered: ${(err as Error).message}`);
      }
    }
  })();

  try {
    await Promise.all(Array.from({ length: o.connections }, worker));
  } finally {
    probing = false;
    clearInterval(rssTimer);
    await prober;
  }
  stats.elapsedMs = Date.now() - started;
  if (failure === null && !isAlive(o.pid)) fail('the broker process is gone');
  if (failure !== null) {
    const suspects = [...recent.values()].map((f) => ({ index: f.index, source: f.source, mutation: f.mutation, hex: f.bytes.toString('hex') }));
    throw new FuzzFailure(failure, stats, suspects);
  }
  return stats;
}
