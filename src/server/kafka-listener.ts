// The Kafka TCP listener: accepts connections and hands each to a Connection.
// It enforces the connection limits (maxConnections, maxConnectionsPerIp: a
// connection past them is closed at once) and warns when connections are, or are
// about to be, refused for want of file descriptors, at most once per
// ACCEPT_WARNING_INTERVAL_MS.

import net from 'node:net';
import type { BrokerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { SluiceError } from '../errors.js';
import type { BrokerServices } from './api/handler.js';
import { Connection } from './connection.js';
import type { FaultInjector } from './fault-hook.js';
import { QueuedRequestBytes } from './queued-request-bytes.js';
import { BufferPool } from '../protocol/buffer-pool.js';
import { RateLimitedWarning } from './rate-limited-warning.js';
import { openFilesCount, openFilesLimit } from './open-files.js';

/** Least time between two warnings about refused connections (ms). */
const ACCEPT_WARNING_INTERVAL_MS = 10_000;

/** Open files short of the limit at which new connections are warned about: a tenth of it, at least 16. */
function fileHeadroom(limit: number): number {
  return Math.max(16, Math.floor(limit / 10));
}

export class KafkaListener {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Open connections per client address (maxConnectionsPerIp). */
  private readonly perIp = new Map<string, number>();
  private readonly refusals = new RateLimitedWarning(ACCEPT_WARNING_INTERVAL_MS);
  private readonly nearFileLimit = new RateLimitedWarning(ACCEPT_WARNING_INTERVAL_MS);
  private readonly fileLimit = openFilesLimit();
  /** Files open when the listener started, besides its connections: with sockets.size, an estimate of those open now. */
  private filesAtStart = 0;
  private services: BrokerServices | null = null;

  /** `faults`: test-only fault injection (fault-hook.ts), null in every real broker. */
  constructor(
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    faults: FaultInjector | null = null,
  ) {
    const queuedRequestBytes = new QueuedRequestBytes(config.queuedMaxRequestBytes);
    const framePool = new BufferPool();
    // Paused, so that a Connection may move the socket's handle before anything is read (own-read-buffers.ts).
    this.server = net.createServer({ pauseOnConnect: true }, (accepted) => {
      // Until the broker is attached (start-up), connections are refused.
      if (!this.services) {
        accepted.destroy();
        return;
      }
      const ip = accepted.remoteAddress ?? 'unknown';
      const refusal = this.refusalOf(ip);
      if (refusal !== null) {
        this.refusals.warn(log, { client: ip, limit: refusal }, 'connection refused: limit reached');
        accepted.destroy();
        return;
      }
      const { socket } = new Connection(accepted, this.services, config, log, queuedRequestBytes, framePool, faults);
      this.sockets.add(socket);
      this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
      socket.on('close', () => {
        this.sockets.delete(socket);
        const left = (this.perIp.get(ip) ?? 1) - 1;
        if (left === 0) this.perIp.delete(ip);
        else this.perIp.set(ip, left);
      });
      this.checkFileHeadroom();
    });
  }

  /** The limit a new connection from `ip` would pass (its config name), or null. */
  private refusalOf(ip: string): string | null {
    if (this.sockets.size >= this.config.maxConnections) return 'max.connections';
    if ((this.perIp.get(ip) ?? 0) >= this.config.maxConnectionsPerIp) return 'max.connections.per.ip';
    return null;
  }

  /**
   * Past the limit on open files the OS layer closes new connections unseen, so
   * the warning comes while there is still headroom. /proc is read only when the
   * estimate (files at start + connections) says the limit is near.
   */
  private checkFileHeadroom(): void {
    if (this.fileLimit === null || this.filesAtStart + this.sockets.size < this.fileLimit - 2 * fileHeadroom(this.fileLimit)) return;
    const limit = this.fileLimit;
    this.nearFileLimit.warnIf(this.log, 'open files near the limit: new connections will be refused; raise the limit (ulimit -n) or lower maxConnections', () => {
      const openFiles = openFilesCount() ?? 0;
      return openFiles >= limit - fileHeadroom(limit) ? { openFiles, limit, connections: this.sockets.size } : null;
    });
  }

  /**
   * Errors of the listening socket once it listens: a failed accept (EMFILE/ENFILE:
   * out of file descriptors; the client's connection is dropped by the OS layer) is
   * logged, rate-limited, and the broker keeps serving the connections it has.
   */
  private onServerError(err: NodeJS.ErrnoException): void {
    if (err.code === 'EMFILE' || err.code === 'ENFILE') {
      this.refusals.warn(this.log, { code: err.code }, 'cannot accept connections: out of file descriptors; raise the limit (ulimit -n) or lower maxConnections');
    } else {
      this.refusals.warn(this.log, { err }, 'cannot accept a connection');
    }
  }

  /** Kafka client connections open now. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Starts serving requests with the broker and its coordinators. The port is bound first so metadata can name it. */
  attach(services: BrokerServices): void {
    this.services = services;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new SluiceError(
            'SLUICE_ERR_LISTEN',
            err.code === 'EADDRINUSE' ? `${host}:${port} is already in use; stop the other process or pick another --port` : `cannot listen on ${host}:${port}: ${err.message}`,
            { cause: err },
          ),
        ),
      );
      this.server.listen(port, host, () => {
        this.server.removeAllListeners('error');
        this.server.on('error', (err: NodeJS.ErrnoException) => this.onServerError(err));
        this.filesAtStart = openFilesCount() ?? 0;
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting, then closes every open connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}
