// Server-side assignors (KIP-848): the coordinator, not a group leader,
// computes each member's target assignment from every member's subscription
// and the partition counts of the subscribed topics. `group.consumer.assignors`
// names the ones a group may use; a member may ask for one (server_assignor),
// the first listed is the default.

import type { PartitionSet } from './partition-set.js';
import { rangeAssignor } from './range-assignor.js';
import { uniformAssignor } from './uniform-assignor.js';

export interface AssignmentSpec {
  /** member id -> the topic ids it subscribes to (existing topics only) and its current target, for stickiness. */
  members: ReadonlyMap<string, { topics: ReadonlySet<string>; current: PartitionSet }>;
  /** topic id -> partition count, for every subscribed topic. */
  partitionCounts: ReadonlyMap<string, number>;
}

export interface ServerAssignor {
  readonly name: string;
  /** A target for every member of the spec; every partition of a subscribed topic goes to exactly one subscriber. */
  assign(spec: AssignmentSpec): Map<string, PartitionSet>;
}

/** Every assignor this broker implements, by the name Kafka gives it. */
export const SERVER_ASSIGNORS: ReadonlyMap<string, ServerAssignor> = new Map([uniformAssignor, rangeAssignor].map((a) => [a.name, a]));
