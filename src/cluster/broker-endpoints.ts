// Where a client reaches a broker: at the endpoint of the listener its own
// request came in on, as Kafka answers Metadata, FindCoordinator and
// DescribeCluster. A broker without that listener is not reachable that way
// and is left out of the answer.

import type { SecurityProtocol } from '../listener-config.js';
import type { BrokerInfo } from './control-plane.js';

export function endpointFor(broker: BrokerInfo, listener: SecurityProtocol): { host: string; port: number } | null {
  if (broker.endpoints === undefined) return { host: broker.host, port: broker.port };
  return broker.endpoints.find((e) => e.name === listener) ?? null;
}

/** The brokers reachable on `listener`, each at its endpoint there. */
export function brokersOn(brokers: readonly BrokerInfo[], listener: SecurityProtocol): { nodeId: number; host: string; port: number; rack: string | null }[] {
  return brokers.flatMap((b) => {
    const at = endpointFor(b, listener);
    return at ? [{ nodeId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
  });
}
