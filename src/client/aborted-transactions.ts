// read_committed on the client (KIP-98). The broker answers a read_committed
// fetch only up to the last stable offset and lists the aborted transactions
// that overlap the data it sends (producer id, first offset); the consumer
// drops their batches, as Kafka's consumer does:
//   - before each batch, every listed transaction whose first offset is at or
//     below the batch's last offset is open for its producer;
//   - a transactional data batch of a producer with an open aborted
//     transaction is dropped;
//   - that producer's ABORT marker closes it (later batches are kept).
// Every batch of the response passes through skips() in order, control
// batches and those below the fetch offset included.

import type { Message } from '../protocol/codec.js';
import { ControlType, controlType } from '../protocol/control-records.js';
import { Attr } from '../protocol/record-batch.js';

export class AbortedTransactions {
  /** By first offset. */
  private readonly listed: { producerId: number; firstOffset: number }[];
  private next = 0;
  private readonly open = new Set<number>();

  /** `list`: a fetch response partition's abortedTransactions. */
  constructor(list: Message[]) {
    this.listed = list.map((a) => ({ producerId: a.producerId as number, firstOffset: a.firstOffset as number })).sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Whether the batch at data[pos] belongs to an aborted transaction. */
  skips(data: Buffer, pos: number): boolean {
    const lastOffset = Number(data.readBigInt64BE(pos)) + data.readInt32BE(pos + 23);
    while (this.next < this.listed.length && this.listed[this.next].firstOffset <= lastOffset) this.open.add(this.listed[this.next++].producerId);
    const attributes = data.readInt16BE(pos + 21);
    if ((attributes & Attr.Transactional) === 0) return false;
    const producerId = Number(data.readBigInt64BE(pos + 43));
    if (!this.open.has(producerId)) return false;
    if (attributes & Attr.Control) {
      if (controlType(data, pos) === ControlType.Abort) this.open.delete(producerId);
      return false;
    }
    return true;
  }
}
