// The assignors a GroupConsumer can offer, by the protocol name every Kafka
// client uses for them.

import { ClientError } from '../client-error.js';
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

/** The assignors of `names`, in that order; throws SLUICE_ERR_CONFIG for an empty list or an unknown name. */
export function assignorsNamed(names: string[]): Assignor[] {
  if (names.length === 0) throw new ClientError('SLUICE_ERR_CONFIG', 'a group consumer needs at least one assignor');
  return [...new Set(names)].map((name) => {
    if (!Object.hasOwn(ASSIGNORS, name)) throw new ClientError('SLUICE_ERR_CONFIG', `unknown assignor '${name}' (known: ${Object.keys(ASSIGNORS).join(', ')})`);
    return ASSIGNORS[name as AssignorName];
  });
}
