// The client's open connections: one per broker address and purpose, opened
// on first use and shared by every caller. A connection that fails, closes or
// times out leaves the pool at once, so the next caller opens a new one; a
// broker restart therefore costs the requests in flight, never the client.
// Attempts to reach an address that keeps failing are spaced by
// ReconnectBackoff (per address, whatever the purpose).

import { setMaxListeners } from 'node:events';
import { ClientError } from './client-error.js';
import { BrokerConnection, type ConnectionOptions } from './connection.js';
import type { ConnectionPurpose } from './kafka-client.js';
import { ReconnectBackoff } from './reconnect-backoff.js';

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  /** Aborted by close(): ends connects, negotiations and backoff waits in progress. */
  private readonly closing = new AbortController();

  constructor(
    private readonly options: ConnectionOptions,
    private readonly backoff: ReconnectBackoff,
  ) {
    // Every connect and wait in progress listens; dozens at once is normal, not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  /** The open connection for `purpose` to `host`:`port`, or a new one once the address's backoff allows. */
  get(host: string, port: number, purpose: ConnectionPurpose): Promise<BrokerConnection> {
    if (this.closing.signal.aborted) return Promise.reject(closedError());
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
      conn = await BrokerConnection.connect(host, port, this.options, this.closing.signal);
    } catch (err) {
      if (!this.closing.signal.aborted) this.backoff.failed(address);
      throw err;
    }
    this.backoff.succeeded(address);
    return conn;
  }

  private wait(ms: number): Promise<void> {
    const signal = this.closing.signal;
    return new Promise((resolve, reject) => {
      const abort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', abort);
        resolve();
      }, ms);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /**
   * Closes every connection and ends connects and backoff waits in progress:
   * everything still waiting rejects with SLUICE_ERR_CLOSED, and no timer or
   * socket of the pool is left to keep the process alive.
   */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    const reason = closedError();
    this.closing.abort(reason);
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(pending.map((p) => p.then((conn) => conn.close(reason), () => {})));
  }
}

function closedError(): ClientError {
  return new ClientError('SLUICE_ERR_CLOSED', 'the client is closed');
}
