// The disk's own latency: small appends to a file, each followed by fdatasync,
// for a number of seconds. An acks=all produce under group-commit is answered
// only after such an fdatasync, so this is the floor the broker's latency is
// judged against.

import fs from 'node:fs';
import path from 'node:path';
import { type Tail, tailOf } from './stats.js';

export interface FsyncLatency extends Tail {
  rounds: number;
}

/** Appends of `appendBytes` + fdatasync in a new file in `dir` (removed after) for `seconds`. */
export function measureFsyncLatency(dir: string, seconds: number, appendBytes = 128): FsyncLatency {
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(appendBytes, 'x');
  const samples: number[] = [];
  try {
    const end = performance.now() + seconds * 1000;
    for (let t = performance.now(); t < end; ) {
      fs.writeSync(fd, block);
      fs.fdatasyncSync(fd);
      const after = performance.now();
      samples.push(after - t);
      t = after;
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return { rounds: samples.length, ...tailOf(samples) };
}
