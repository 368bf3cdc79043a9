// The client's open connections: one per broker address and purpose, opened
// on first use and shared by every caller. A connection that fails, closes or
// times out leaves the pool at once, so the next caller opens a new one; a
// broker restart therefore costs the requests in flight, never the client.

import type { ConnectionPurpose } from './kafka-client.js';
import { BrokerConnection, type ConnectionOptions } from './connection.js';

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<BrokerConnection>>();

  constructor(private readonly options: ConnectionOptions) {}

  /** The open connection for `purpose` to `host`:`port`, or a new one. */
  get(host: string, port: number, purpose: ConnectionPurpose): Promise<BrokerConnection> {
    const key = `${purpose}@${host}:${port}`;
    let pending = this.connections.get(key);
    if (!pending) {
      const opening = BrokerConnection.connect(host, port, this.options);
      pending = opening;
      const evict = () => {
        if (this.connections.get(key) === opening) this.connections.delete(key);
      };
      opening.then((conn) => conn.onClose(evict), evict);
      this.connections.set(key, opening);
    }
    return pending;
  }

  /** Closes every connection; requests still waiting on them reject. */
  async close(): Promise<void> {
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(pending.map((p) => p.then((conn) => conn.close(), () => {})));
  }
}
