// How this broker describes itself to the cluster: the listener clients are
// told of, its rack, and where followers fetch from.

import type { BrokerConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import type { ListenerAddress } from '../listener-config.js';
import type { BrokerInfo } from './control-plane.js';

/**
 * What each listener advertises, its port 0 replaced by the port `bound` says
 * that listener bound.
 */
export function advertisedEndpoints(config: BrokerConfig, bound: readonly ListenerAddress[]): ListenerAddress[] {
  return config.advertisedListeners.map((a) => ({ ...a, port: a.port !== 0 ? a.port : (bound.find((l) => l.name === a.name)?.port ?? 0) }));
}

/** The listener a broker is known by where one address is asked for: its first PLAINTEXT one, else its first. */
export function primaryListener<T extends ListenerAddress>(listeners: readonly T[]): T {
  return listeners.find((l) => l.name === 'PLAINTEXT') ?? listeners[0];
}

/**
 * This broker as registered, given its advertised endpoints. Followers fetch from
 * the inter-broker listener's endpoint when one is named, else from the primary
 * listener unless --replication-address names another address.
 */
export function brokerSelf(config: BrokerConfig, endpoints: ListenerAddress[]): BrokerInfo {
  const { host, port } = primaryListener(endpoints);
  const interBroker = endpoints.find((e) => e.name === config.interBrokerListenerName);
  const replication = interBroker ?? (config.replicationAddress === '' ? { host, port } : hostPort(config.replicationAddress));
  return { nodeId: config.nodeId, host, port, endpoints, rack: config.rack || null, replicationHost: replication.host, replicationPort: replication.port };
}

function hostPort(address: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) throw new ConfigError(`replicationAddress must be host:port, got "${address}"`);
  // A bracketed IPv6 literal is given to sockets without its brackets.
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}
