// Producer ids for InitProducerId: never handed out twice, also across
// restarts and, in a cluster, across brokers. Ids are reserved in blocks (as
// Kafka's ProducerIdManager does through ZooKeeper or the controller): before
// the first id of a block is given out, the block is recorded where it cannot
// be reserved again. A broker alone records the end of its last block in
//
//   <dataDir>/producer-id-block   decimal: every id below it may have been issued
//
// atomically and durably, so a crash at any point can only skip ids, never
// repeat one; a restart starts a new block at the recorded end. In a cluster
// the control plane hands out the blocks (a counter in etcd advanced by
// compare-and-swap), so two brokers never share one.
//
// Idempotent producers (no transactional id) also get KIP-360 epoch bumps: an
// InitProducerId v3+ naming the id and epoch this broker last gave that producer
// gets the same id with epoch + 1 (on every partition the new epoch then fences
// the old one). Anything else (an unknown or stale pair, an id from before a
// restart, an epoch about to overflow) gets a fresh id with epoch 0, which is
// what Kafka answers idempotent producers in every case and what clients accept.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors.js';
import { writeFileAtomically } from '../storage/checkpoint-file.js';

export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
/** Ids reserved per write of the block file (Kafka's block size). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** Highest epoch that may still be bumped; Kafka moves to a new id past Short.MAX_VALUE - 1. */
const MAX_BUMPABLE_EPOCH = 0x7fff - 2;
/** Idempotent producers whose epoch this broker remembers for KIP-360 bumps; the oldest are forgotten first. */
const REMEMBERED_PRODUCERS = 100_000;

/** Where blocks of producer ids come from. */
export interface ProducerIdBlocks {
  /** Reserves `size` ids that were never reserved before and records it; returns the first. */
  reserve(size: number): Promise<number>;
}

/** The blocks of a broker alone: the end of the last one in <dataDir>/producer-id-block. */
class ProducerIdBlockFile implements ProducerIdBlocks {
  constructor(
    private readonly file: string,
    private end: number,
  ) {}

  async reserve(size: number): Promise<number> {
    const start = this.end;
    try {
      writeFileAtomically(this.file, `${start + size}\n`);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_PRODUCER_IDS', `cannot reserve producer ids in ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    this.end = start + size;
    return start;
  }
}

export class ProducerIdManager {
  // Nothing is reserved at first: the first id asks for a block.
  private next = 0;
  private blockEnd = 0;
  private reserving: Promise<void> | null = null;
  /** producerId -> epoch last given to that idempotent producer, oldest first. */
  private readonly epochs = new Map<number, number>();

  constructor(private readonly blocks: ProducerIdBlocks) {}

  /** Reads `<dataDir>/producer-id-block`; throws SluiceError SLUICE_ERR_PRODUCER_IDS when it exists but cannot be trusted. */
  static open(dataDir: string): ProducerIdManager {
    const file = path.join(dataDir, PRODUCER_ID_BLOCK_FILE);
    let text: string | null = null;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SluiceError('SLUICE_ERR_PRODUCER_IDS', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    const end = text === null ? 0 : Number(text.trim());
    if (!Number.isSafeInteger(end) || end < 0) {
      // Starting again from 0 could hand out ids that live producers still use.
      throw new SluiceError('SLUICE_ERR_PRODUCER_IDS', `${file} holds ${JSON.stringify(text)}, not a producer id`);
    }
    return new ProducerIdManager(new ProducerIdBlockFile(file, end));
  }

  /** A producer id never given out before; reserves (and records) a new block when the current one is used up. */
  async nextId(): Promise<number> {
    while (this.next >= this.blockEnd) {
      // One reservation at a time: callers waiting for the same block share it.
      this.reserving ??= this.blocks
        .reserve(PRODUCER_ID_BLOCK_SIZE)
        .then((start) => {
          this.next = start;
          this.blockEnd = start + PRODUCER_ID_BLOCK_SIZE;
        })
        .finally(() => (this.reserving = null));
      await this.reserving;
    }
    return this.next++;
  }

  /**
   * InitProducerId without a transactional id. `current` is the producer's id
   * and epoch from a v3+ request (-1, -1 otherwise).
   */
  async initIdempotent(current: { producerId: number; producerEpoch: number }): Promise<{ producerId: number; producerEpoch: number }> {
    const { producerId, producerEpoch } = current;
    let id: number;
    let epoch: number;
    if (producerId >= 0 && producerEpoch >= 0 && producerEpoch <= MAX_BUMPABLE_EPOCH && this.epochs.get(producerId) === producerEpoch) {
      id = producerId;
      epoch = producerEpoch + 1;
      this.epochs.delete(id);
    } else {
      id = await this.nextId();
      epoch = 0;
    }
    this.epochs.set(id, epoch);
    if (this.epochs.size > REMEMBERED_PRODUCERS) this.epochs.delete(this.epochs.keys().next().value as number);
    return { producerId: id, producerEpoch: epoch };
  }
}
