// The message browser's scan of one partition: bounded pages of
// GET /topics/{t}/records between the log start and the high watermark as it
// was when the scan began, so it ends on an empty partition at once, stops at
// the high watermark instead of waiting for records, and never reads more
// than `maxScanned` offsets. From the newest it reads windows backwards (each
// window forwards), so the latest matches come first.
//
//   log start                                   high watermark
//   |------------------------------------------|
//     oldest/offset/time: ---->  ---->  ---->
//     newest:                    <[--->][--->]

import type { Api, RecordLine } from './api.js';
import { type RecordFilter, matches } from './record-filter.js';

/** Records asked for per request. */
export const SCAN_PAGE = 500;

export type ScanStart = { from: 'newest' } | { from: 'oldest' } | { from: 'offset'; offset: number } | { from: 'time'; time: number };

export interface ScanRequest {
  topic: string;
  partition: number;
  start: ScanStart;
  filter: RecordFilter;
  /** Offsets read at most. */
  maxScanned: number;
  /** Matches wanted; the scan stops once it has them. */
  maxResults: number;
}

export interface ScanProgress {
  scanned: number;
  /** Offsets the scan may cover: up to the high watermark, within maxScanned. */
  total: number;
  matched: number;
}

export interface ScanResult extends ScanProgress {
  /** Newest first from the newest, else in offset order. */
  records: RecordLine[];
  /** Why the scan ended. */
  ended: 'empty' | 'high watermark' | 'log start' | 'results' | 'bound' | 'stopped';
}

export interface PartitionBounds {
  logStartOffset: number;
  highWatermark: number;
}

export async function scanPartition(api: Api, req: ScanRequest, bounds: PartitionBounds, onProgress: (p: ScanProgress) => void, signal: AbortSignal): Promise<ScanResult> {
  const { logStartOffset: logStart, highWatermark: end } = bounds;
  const found: RecordLine[] = [];
  let scanned = 0;
  const result = (ended: ScanResult['ended'], total: number): ScanResult => ({ scanned, total, matched: found.length, records: found.slice(0, req.maxResults), ended });
  if (end <= logStart) return result('empty', 0);

  /** Reads [from, to) forwards, page by page; false when the scan must end (bound, results or stop). */
  const readRange = async (from: number, to: number, total: number, into: RecordLine[]): Promise<boolean> => {
    while (from < to) {
      if (signal.aborted) return false;
      const page = await api.records(req.topic, req.partition, { offset: from }, Math.min(SCAN_PAGE, to - from, req.maxScanned - scanned));
      for (const r of page.records) if (r.offset < to && matches(r, req.filter)) into.push(r);
      // Offsets, not records: compaction and transaction markers leave gaps the bound still counts.
      const next = Math.max(Math.min(page.nextOffset, to), from + 1);
      scanned += next - from;
      from = next;
      onProgress({ scanned, total, matched: found.length + into.length });
      if (scanned >= req.maxScanned) return false;
    }
    return true;
  };

  if (req.start.from === 'newest') {
    const total = Math.min(end - logStart, req.maxScanned);
    for (let windowEnd = end; windowEnd > logStart; ) {
      const windowStart = Math.max(logStart, windowEnd - SCAN_PAGE);
      const inWindow: RecordLine[] = [];
      const goOn = await readRange(windowStart, windowEnd, total, inWindow);
      found.push(...inWindow.reverse());
      if (signal.aborted) return result('stopped', total);
      if (found.length >= req.maxResults) return result('results', total);
      if (!goOn) return result('bound', total);
      windowEnd = windowStart;
    }
    return result('log start', total);
  }

  const from = await startOffset(api, req, logStart, end);
  const total = Math.min(end - from, req.maxScanned);
  for (let at = from; at < end; ) {
    const windowEnd = Math.min(end, at + SCAN_PAGE);
    const goOn = await readRange(at, windowEnd, total, found);
    if (signal.aborted) return result('stopped', total);
    if (found.length >= req.maxResults) return result('results', total);
    if (!goOn) return result('bound', total);
    at = windowEnd;
  }
  return result('high watermark', total);
}

/** Where a forward scan begins, within [log start, high watermark]. */
async function startOffset(api: Api, req: ScanRequest, logStart: number, end: number): Promise<number> {
  switch (req.start.from) {
    case 'offset':
      return Math.min(Math.max(req.start.offset, logStart), end);
    case 'time': {
      const page = await api.records(req.topic, req.partition, { time: req.start.time }, 1);
      return page.records.length === 0 ? end : Math.min(page.records[0].offset, end);
    }
    default:
      return logStart;
  }
}
