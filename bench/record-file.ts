// The prepared input of kcat -P -l: one record value a line, so the generator
// spends its CPU on the protocol, not on making data.

import fs from 'node:fs';

/** Writes `records` lines of `size` bytes ('x') each to `file`; returns `file`. */
export function writeRecordFile(file: string, size: number, records: number): string {
  const line = Buffer.alloc(size + 1, 'x');
  line[size] = 10;
  // Lines written a chunk at a time; at most about 16 MiB a chunk, so a large record size does not make a huge buffer.
  const perChunk = Math.max(1, Math.min(1000, Math.floor((16 * 2 ** 20) / (size + 1))));
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => line));
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < records; i += perChunk) fs.writeSync(fd, i + perChunk <= records ? chunk : chunk.subarray(0, (records - i) * (size + 1)));
  fs.closeSync(fd);
  return file;
}
