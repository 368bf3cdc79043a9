// Transaction markers (KIP-98): a control batch holds one control record whose
// key is version int16 | type int16 (0 = ABORT, 1 = COMMIT).

import { batchSize } from './record-batch.js';
import { decodeBatch } from './records.js';

/** Control record types (key: version int16, type int16). */
export const enum ControlType {
  Abort = 0,
  Commit = 1,
}

/** The control type of the marker batch at `pos`, or null if it is no transaction marker. */
export function controlType(buf: Buffer, pos: number): ControlType | null {
  try {
    const key = decodeBatch(buf.subarray(pos, pos + batchSize(buf, pos))).records[0]?.key;
    if (!key || key.length < 4) return null;
    const type = key.readInt16BE(2);
    return type === ControlType.Abort || type === ControlType.Commit ? type : null;
  } catch {
    return null;
  }
}
