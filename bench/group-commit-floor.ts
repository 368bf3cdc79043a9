// What acks=all under group-commit could reach on this disk at a given rate if
// the broker did nothing else: appends at that rate on this thread, each
// awaiting the broker's own Flusher (one fdatasync round in flight; appends made
// during it wait for the next round). No network, no protocol, no other work:
// its append-to-durable tail is the floor of the broker's end-to-end latency.
// The serial write + fdatasync loop (fsync-latency.ts) is faster than this
// floor: there no append ever waits for a round that started before it.

import fs from 'node:fs';
import path from 'node:path';
import { Flusher } from '../src/storage/flusher.js';
import { type Tail, tailOf } from './stats.js';

export interface GroupCommitFloor extends Tail {
  appends: number;
  rounds: number;
}

/** Appends of `appendBytes` at `rate` per second for `seconds` in a new file in `dir` (removed after). */
export async function measureGroupCommitFloor(dir: string, rate: number, seconds: number, appendBytes = 128): Promise<GroupCommitFloor> {
  const file = path.join(dir, `group-commit-probe-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  const target = { sync: () => new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))) };
  const flusher = new Flusher('group-commit', 0, -1, file);
  const block = Buffer.alloc(appendBytes, 'x');
  const samples: number[] = [];
  const acks: Promise<void>[] = [];
  try {
    const start = performance.now();
    const count = Math.round(rate * seconds);
    for (let offset = 0; offset < count; ) {
      // As the latency probe sends: what is due by now, then a sleep to the next millisecond.
      const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      for (; offset < due; offset++) {
        fs.writeSync(fd, block);
        flusher.noteAppended(target, offset);
        const appended = performance.now();
        acks.push(flusher.awaitDurable(offset).then(() => void samples.push(performance.now() - appended)));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(acks);
    await flusher.close();
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return { appends: samples.length, rounds: flusher.stats.rounds, ...tailOf(samples) };
}
