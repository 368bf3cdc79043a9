// A share-partition's state batches, as __share_group_state keeps them
// (coordinator/share/share-state-log.ts) and as Read/WriteShareGroupState
// carry them between a share-partition leader and its share coordinator.
//
// notBefore is Sluice's own tagged field (tag 10000, as the releaseDelayMs of
// acknowledgement batches; default 0, then not written): the time (ms since
// the epoch) before which available records are not delivered, so that a
// release with a delay outlives a restart and a move. Kafka's layout has no
// place for it; a Kafka reader skips the unknown tag and sees the records
// available.

import { a, f } from './schema.js';

export const stateBatches = a('stateBatches', '0+', [
  f('firstOffset', 'int64'),
  f('lastOffset', 'int64'),
  // 0 available, 2 acknowledged, 4 archived.
  f('deliveryState', 'int8'),
  f('deliveryCount', 'int16'),
  f('notBefore', 'int64', '0+', { tag: 10000, default: 0 }),
]);
