// The client's open connections: one per broker address and purpose, opened
// on first use and shared by every caller. A connection that fails, closes or
// times out leaves the pool at once, so the next caller opens a new one; a
// broker restart therefore costs the requests in flight, never the client.
// Attempts to reach an address that keeps failing are spaced by
// ReconnectBackoff (per address, whatever the purpose).

import { ClientError } from './client-error.js';
import { BrokerConnection, type ConnectionOptions } from './connection.js';
import type { ConnectionPurpose } from './kafka-client.js';
import { ReconnectBackoff } from './reconnect-backoff.js';

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  /** Backoff waits in progress, so close() can end them. */
  private readonly waits = new Set<{ timer: NodeJS.Timeout; reject(err: Error): void }>();
  private closed = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly backoff: ReconnectBackoff,
  ) {}

  /** The open connection for `purpose` to `host`:`port`, or a new one once the address's backoff allows. */
  get(host: string, port: number, purpose: ConnectionPurpose): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(closedError());
    const key = `${purpose}@${host}:${port}`;
    let pending = this.connections.get(key);
    if (!pending) {
      const opening = this.open(host, port);
      pending = opening;
      const evict = () => {
        if (this.connections.get(key) === opening) this.connections.delete(key);
      };
      opening.then((conn) => conn.onClose(evict), evict);
      this.connections.set(key, opening);
    }
    return pending;
  }

  /** How long a new connection to `host`:`port` would wait for its backoff (ms; 0: none). */
  backoffDelay(host: string, port: number): number {
    return this.backoff.delayFor(`${host}:${port}`);
  }

  private async open(host: string, port: number): Promise<BrokerConnection> {
    const address = `${host}:${port}`;
    const delay = this.backoff.delayFor(address);
    if (delay > 0) await this.wait(delay);
    let conn: BrokerConnection;
    try {
      conn = await BrokerConnection.connect(host, port, this.options);
    } catch (err) {
      this.backoff.failed(address);
      throw err;
    }
    this.backoff.succeeded(address);
    if (this.closed) {
      conn.close();
      throw closedError();
    }
    return conn;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.waits.add(entry);
    });
  }

  /** Closes every connection and ends backoff waits; requests still waiting on them reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waits) {
      clearTimeout(w.timer);
      w.reject(closedError());
    }
    this.waits.clear();
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(pending.map((p) => p.then((conn) => conn.close(), () => {})));
  }
}

function closedError(): ClientError {
  return new ClientError('SLUICE_ERR_CLOSED', 'the client is closed');
}
