// How this broker describes itself to the cluster: the listener clients are
// told of, its rack, and where followers fetch from.

import type { BrokerConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import type { BrokerInfo } from './control-plane.js';

/** This broker as registered, its Kafka listener bound at `port`. */
export function brokerSelf(config: BrokerConfig, port: number): BrokerInfo {
  const replication = config.replicationAddress === '' ? { host: config.advertisedHost, port } : hostPort(config.replicationAddress);
  return { nodeId: config.nodeId, host: config.advertisedHost, port, rack: config.rack || null, replicationHost: replication.host, replicationPort: replication.port };
}

function hostPort(address: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) throw new ConfigError(`replicationAddress must be host:port, got "${address}"`);
  // A bracketed IPv6 literal is given to sockets without its brackets.
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}
