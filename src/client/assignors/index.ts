// The assignors a GroupConsumer can offer, by the protocol name every Kafka
// client uses for them.

import type { Assignor, RebalanceProtocol } from './assignor.js';
import { cooperativeStickyAssignor } from './cooperative-sticky.js';
import { rangeAssignor } from './range.js';
import { roundRobinAssignor } from './round-robin.js';

export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

export const ASSIGNORS: Record<AssignorName, Assignor> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  'cooperative-sticky': cooperativeStickyAssignor,
};

/**
 * The protocol a member offering `assignors` follows: cooperative only when
 * every one of them is, since the coordinator may choose any (KIP-429: a
 * group moves to cooperative-sticky by a first rolling restart offering it
 * beside an eager assignor, then a second one offering it alone).
 */
export function rebalanceProtocolOf(assignors: Assignor[]): RebalanceProtocol {
  return assignors.every((a) => a.rebalanceProtocol === 'cooperative') ? 'cooperative' : 'eager';
}
