// The prepared input of kcat -P -l: one record value a line, so the generator
// spends its CPU on the protocol, not on making data.

import fs from 'node:fs';

/** Writes `records` lines of `size` bytes ('x') each to `file`; returns `file`. */
export function writeRecordFile(file: string, size: number, records: number): string {
  const line = Buffer.alloc(size + 1, 'x');
  line[size] = 10;
  const chunk = Buffer.concat(Array.from({ length: 1000 }, () => line));
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < records; i += 1000) fs.writeSync(fd, i + 1000 <= records ? chunk : chunk.subarray(0, (records - i) * (size + 1)));
  fs.closeSync(fd);
  return file;
}
