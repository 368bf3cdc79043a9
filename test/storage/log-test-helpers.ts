// Shared by the storage tests: configs, temp directories that clean up after
// the test, real batches built by the protocol encoder, and a logger that
// records what it was told.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { batchBaseOffset, batchLastOffset, batchMaxTimestamp } from '../../src/protocol/record-batch.js';
import { decodeBatch, encodeBatch, forEachBatch } from '../../src/protocol/records.js';
import { FileLog } from '../../src/storage/file-log.js';
import type { LogConfig } from '../../src/storage/partition-log.js';
import type { StorageLogger } from '../../src/storage/storage-logger.js';

/** Large segments, no retention, no index gaps worth mentioning: tests override what they exercise. */
export function testConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return {
    segmentBytes: 1 << 30,
    segmentMs: 7 * 24 * 3600 * 1000,
    retentionMs: -1,
    retentionBytes: -1,
    flushPolicy: 'group-commit',
    flushIntervalMs: 1000,
    indexIntervalBytes: 4096,
    ...overrides,
  };
}

const cleanups = new WeakMap<TestContext, (() => unknown)[]>();

/**
 * Runs `fn` when the test ends, last registered first (node:test runs `after`
 * hooks in registration order), so a log is closed before its directory goes.
 */
export function defer(t: TestContext, fn: () => unknown): void {
  let stack = cleanups.get(t);
  if (stack === undefined) {
    const fns: (() => unknown)[] = [];
    stack = fns;
    cleanups.set(t, fns);
    t.after(async () => {
      for (let f = fns.pop(); f !== undefined; f = fns.pop()) await f();
    });
  }
  stack.push(fn);
}

/** A fresh directory under the OS temp dir, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-storage-'));
  defer(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a FileLog that is closed (if the test did not) when the test ends. */
export async function openFileLog(t: TestContext, dir: string, config: LogConfig, logger?: StorageLogger): Promise<FileLog> {
  const log = await FileLog.open(dir, config, logger);
  defer(t, () => log.close());
  return log;
}

/** A batch of `count` records whose values say `${tag}-${i}`, all with `timestamp` unless `timestamps` is given. */
export function makeBatch(count: number, opts: { tag?: string; timestamp?: number; timestamps?: number[]; valueBytes?: number } = {}): Buffer {
  const tag = opts.tag ?? 'r';
  const pad = opts.valueBytes ? 'x'.repeat(opts.valueBytes) : '';
  const records = Array.from({ length: count }, (_, i) => ({
    value: Buffer.from(`${tag}-${i}${pad}`),
    timestamp: opts.timestamps?.[i] ?? opts.timestamp ?? 1_000,
  }));
  return encodeBatch(records);
}

export interface BatchSummary {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

/** Header summary of each whole batch in a read result; fails the test on a torn batch. */
export function summarize(buf: Buffer): BatchSummary[] {
  const out: BatchSummary[] = [];
  let covered = 0;
  forEachBatch(buf, (pos, size) => {
    out.push({ baseOffset: batchBaseOffset(buf, pos), lastOffset: batchLastOffset(buf, pos), maxTimestamp: batchMaxTimestamp(buf, pos), size });
    covered = pos + size;
  });
  if (covered !== buf.length) throw new Error(`read result has ${buf.length - covered} bytes of partial batch`);
  return out;
}

/** Record values (utf8) with their offsets, decoded from every batch in `buf`. */
export function recordsIn(buf: Buffer): { offset: number; value: string }[] {
  const out: { offset: number; value: string }[] = [];
  forEachBatch(buf, (pos) => {
    for (const r of decodeBatch(buf, pos).records) out.push({ offset: r.offset, value: r.value?.toString('utf8') ?? '' });
  });
  return out;
}

export interface LoggedEvent {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A StorageLogger that keeps every event, for asserting on recovery reports. */
export function recordingLogger(): StorageLogger & { events: LoggedEvent[] } {
  const events: LoggedEvent[] = [];
  return {
    events,
    info: (fields, msg) => events.push({ level: 'info', msg, fields: fields as Record<string, unknown> }),
    warn: (fields, msg) => events.push({ level: 'warn', msg, fields: fields as Record<string, unknown> }),
    error: (fields, msg) => events.push({ level: 'error', msg, fields: fields as Record<string, unknown> }),
  };
}
