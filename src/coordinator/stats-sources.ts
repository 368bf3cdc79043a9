// What the stats history (broker/stats-history.ts) samples of a running broker:
// its traffic totals over every partition, and the consumer group lag in
// offsets summed over every group (coordinator/group/group-lag.ts).

import type { Broker } from '../broker/broker.js';
import { sumTraffic } from '../broker/partition-traffic.js';
import type { StatsSources } from '../broker/stats-history.js';
import type { GroupCoordinator } from './group/group-coordinator.js';
import { totalGroupLag } from './group/group-lag.js';

export function brokerStatsSources(broker: Broker, groups: GroupCoordinator): StatsSources {
  return {
    traffic: () => sumTraffic(broker.allPartitions().map((p) => p.traffic)),
    groupLag: () => totalGroupLag(broker, groups),
  };
}
