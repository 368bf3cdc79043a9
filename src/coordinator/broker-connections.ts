// One connection per other broker, at its replication address (where brokers
// talk to each other, with the inter-broker listener's security), for the
// requests one broker's coordinator sends another: transaction markers
// (txn/txn-marker-sender.ts), share-partition state
// (share/share-state-sender.ts). A request that gets no answer
// drops its connection, so the next one connects again.

import { type Api, BrokerConnection } from '../client/connection.js';
import type { Message } from '../protocol/codec.js';
import type { Logger } from '../logger.js';
import type { BrokerInfo } from '../cluster/control-plane.js';
import type { InterBrokerSecurity } from '../cluster/inter-broker-security.js';

export class BrokerConnections {
  private readonly connections = new Map<number, Promise<BrokerConnection>>();

  constructor(
    private readonly clientId: string,
    private readonly log: Logger,
    private readonly security: InterBrokerSecurity = {},
  ) {}

  /** The response of `broker` to the request, or null when it gave none (its connection is dropped). */
  async send(broker: BrokerInfo, api: Api, version: number, body: Message): Promise<Message | null> {
    let connection = this.connections.get(broker.nodeId);
    if (!connection) {
      connection = BrokerConnection.connect(broker.replicationHost, broker.replicationPort, { clientId: this.clientId, ...this.security });
      this.connections.set(broker.nodeId, connection);
    }
    try {
      return await (await connection).sendVersion(api, version, body);
    } catch (err) {
      if (this.connections.get(broker.nodeId) === connection) this.connections.delete(broker.nodeId);
      void connection.then((c) => c.close()).catch(() => {});
      this.log.debug({ err, broker: broker.nodeId, apiKey: api.request.apiKey }, 'inter-broker request got no answer');
      return null;
    }
  }

  async close(): Promise<void> {
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(connections.map((c) => c.then((conn) => conn.close()).catch(() => {})));
  }
}
