// The Kafka listeners: one server per configured listener (PLAINTEXT, SSL,
// SASL_PLAINTEXT, SASL_SSL), each accepting connections and handing each to a
// Connection with the listener's name and the principal known so far. They
// share the connection limits (maxConnections, maxConnectionsPerIp and its
// overrides per address, maxConnectionCreationRate and the connection_creation_rate
// quotas of ip entities, connection-creation-rates.ts: a connection past them
// is closed at once, before any TLS handshake) and warn
// when connections are, or are about to be, refused for want of file
// descriptors, at most once per ACCEPT_WARNING_INTERVAL_MS.
//
// On a TLS listener the Connection starts only once the handshake completed: a
// client speaking plaintext fails the handshake and is closed with nothing of
// its bytes decoded as Kafka requests. A client certificate that was presented
// must verify against tlsCa (as Kafka's ssl.client.auth=requested), and its
// subject becomes the connection's principal (principal.ts). On a SASL listener
// each connection gets a SaslSession that admits nothing but ApiVersions and the
// SASL requests until it authenticated; failures are logged at most once per
// ACCEPT_WARNING_INTERVAL_MS per listener.

import net from 'node:net';
import tls from 'node:tls';
import type { BrokerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ConfigError, SluiceError } from '../errors.js';
import type { BrokerServices } from './api/handler.js';
import { Connection } from './connection.js';
import type { FaultInjector } from './fault-hook.js';
import { QueuedRequestBytes } from './queued-request-bytes.js';
import { BufferPool } from '../protocol/buffer-pool.js';
import { RateLimitedWarning } from './rate-limited-warning.js';
import { openFilesCount, openFilesLimit } from './open-files.js';
import { type ListenerAddress, usesSasl, usesTls } from '../listener-config.js';
import { type Clock, systemClock } from '../clock.js';
import type { ConnectionSecurity } from './connection-security.js';
import { SaslSession } from './sasl/sasl-session.js';
import { ANONYMOUS, type Principal, certificatePrincipal } from './principal.js';
import { publishAuthentication } from './authentication-channel.js';
import { tlsServerOptions } from './tls-options.js';
import { ConnectionCreationRates } from '../broker/quota/connection-creation-rates.js';

/** Least time between two warnings about refused connections (ms). */
const ACCEPT_WARNING_INTERVAL_MS = 10_000;

/** Longest a TLS handshake may take before its connection is closed (ms). */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Open files short of the limit at which new connections are warned about: a tenth of it, at least 16. */
function fileHeadroom(limit: number): number {
  return Math.max(16, Math.floor(limit / 10));
}

/** A client's address as limits name it: an IPv4 client of a dual-stack listener by its IPv4 address. */
function clientAddressOf(socket: net.Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

export class KafkaListener {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** Open connections per client address (maxConnectionsPerIp). */
  private readonly perIp = new Map<string, number>();
  private readonly refusals = new RateLimitedWarning(ACCEPT_WARNING_INTERVAL_MS);
  private readonly nearFileLimit = new RateLimitedWarning(ACCEPT_WARNING_INTERVAL_MS);
  private readonly tlsRefusals = new RateLimitedWarning(ACCEPT_WARNING_INTERVAL_MS);
  private readonly authFailures = new RateLimitedWarning(ACCEPT_WARNING_INTERVAL_MS);
  private readonly fileLimit = openFilesLimit();
  private readonly queuedRequestBytes: QueuedRequestBytes;
  /** Blocks for large produce frames and fetch reads, shared by every connection. */
  private readonly framePool = new BufferPool();
  /** Files open when the listener started, besides its connections: with sockets.size, an estimate of those open now. */
  private filesAtStart = 0;
  private services: BrokerServices | null = null;
  /** Connections closed at once, by the limit they passed (its config or quota name). */
  readonly refusedConnections = new Map<string, number>();
  /** Measured from attach() on, with the client quotas' store and clock. */
  private creationRates: ConnectionCreationRates | null = null;

  /** `faults`: test-only fault injection (fault-hook.ts), null in every real broker; `clock`: SASL session lifetimes. */
  constructor(
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    private readonly faults: FaultInjector | null = null,
    private readonly clock: Clock = systemClock,
  ) {
    this.queuedRequestBytes = new QueuedRequestBytes(config.queuedMaxRequestBytes);
  }

  /** A server for `listener`: TCP, or TLS whose connections are served once their handshake is done. */
  private serverFor(listener: ListenerAddress): net.Server {
    if (!usesTls(listener.name)) {
      // Paused, so that its Connection may move the socket's handle before anything is read (own-read-buffers.ts).
      return net.createServer({ pauseOnConnect: true }, (accepted) => {
        if (!this.admit(accepted)) return;
        this.track(this.serve(accepted, listener, ANONYMOUS));
      });
    }
    let server: tls.Server;
    try {
      server = tls.createServer({ ...tlsServerOptions(this.config), handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS });
    } catch (err) {
      throw new ConfigError(`the TLS certificate or key cannot be used: ${(err as Error).message}`, { cause: err });
    }
    // Before the TLS server wraps the socket: a connection past the limits costs no handshake.
    server.prependListener('connection', (socket: net.Socket) => {
      if (this.admit(socket)) this.track(socket);
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      const principal = this.certificatePrincipalOf(socket, listener);
      if (principal !== null) this.serve(socket, listener, principal);
    });
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      this.tlsRefusals.warn(this.log, { listener: listener.name, client: socket.remoteAddress, reason: err.code ?? err.message }, 'TLS handshake failed');
    });
    return server;
  }

  /**
   * The principal a TLS connection starts as: its client certificate's subject when
   * one was presented and verified; ANONYMOUS without one (unless one is required);
   * null, and the connection closed, when one was required and not presented, or
   * presented and not verified.
   */
  private certificatePrincipalOf(socket: tls.TLSSocket, listener: ListenerAddress): Principal | null {
    const clientHost = socket.remoteAddress ?? 'unknown';
    const listenerPort = socket.localPort ?? 0;
    const cert = this.config.tlsClientAuth === 'none' ? undefined : socket.getPeerX509Certificate();
    if (cert === undefined && this.config.tlsClientAuth !== 'required') return ANONYMOUS;
    if (cert !== undefined && socket.authorized) {
      const principal = certificatePrincipal(cert);
      this.log.debug({ listener: listener.name, client: clientHost, principal }, 'client certificate verified');
      publishAuthentication({ listener: listener.name, listenerPort, clientHost, principal, mechanism: 'TLS', succeeded: true });
      return principal;
    }
    const reason = cert === undefined ? 'no client certificate' : `client certificate not verified: ${String(socket.authorizationError)}`;
    this.tlsRefusals.warn(this.log, { listener: listener.name, client: clientHost, reason }, 'TLS connection refused');
    publishAuthentication({ listener: listener.name, listenerPort, clientHost, principal: cert ? certificatePrincipal(cert) : '', mechanism: 'TLS', succeeded: false });
    socket.destroy();
    return null;
  }

  /** Whether a new TCP connection is within the limits; closed when it is not. */
  private admit(socket: net.Socket): boolean {
    // Until the broker is attached (start-up), connections are refused.
    if (!this.services || !this.creationRates) {
      socket.destroy();
      return false;
    }
    const ip = clientAddressOf(socket);
    const refusal = this.refusalOf(ip, this.creationRates);
    if (refusal !== null) {
      this.refusedConnections.set(refusal, (this.refusedConnections.get(refusal) ?? 0) + 1);
      this.refusals.warn(this.log, { client: ip, limit: refusal }, 'connection refused: limit reached');
      socket.destroy();
      return false;
    }
    return true;
  }

  /** Counts a connection's socket until it closes. */
  private track(socket: net.Socket): void {
    const ip = clientAddressOf(socket);
    this.sockets.add(socket);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    socket.on('close', () => {
      this.sockets.delete(socket);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left === 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    });
    this.checkFileHeadroom();
  }

  /** Serves a connection; returns the socket it reads from (see Connection.socket). */
  private serve(socket: net.Socket, listener: ListenerAddress, principal: Principal): net.Socket {
    if (!this.services) return socket;
    const security: ConnectionSecurity = { listener: listener.name, principal, sasl: null };
    if (usesSasl(listener.name)) {
      const shared = { config: this.config, credentials: this.services.credentials, log: this.log, clock: this.clock, failures: this.authFailures };
      security.sasl = new SaslSession(shared, security, { clientHost: socket.remoteAddress ?? 'unknown', listenerPort: socket.localPort ?? 0 });
    }
    return new Connection(socket, this.services, security, this.config, this.log, this.queuedRequestBytes, this.framePool, this.faults).socket;
  }

  /** The limit a new connection from `ip` passes (its config or quota name), or null; counted in the creation rates when within the others. */
  private refusalOf(ip: string, rates: ConnectionCreationRates): string | null {
    if (this.sockets.size >= this.config.maxConnections) return 'max.connections';
    if ((this.perIp.get(ip) ?? 0) >= (this.config.maxConnectionsPerIpOverrides[ip] ?? this.config.maxConnectionsPerIp)) return 'max.connections.per.ip';
    return rates.admit(ip);
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
    this.creationRates = new ConnectionCreationRates(services.quotas.quotas, this.config, this.config.maxConnectionCreationRate, services.quotas.clock);
    this.services = services;
  }

  /** Binds every configured listener; returns each with the port it bound. */
  async listen(): Promise<ListenerAddress[]> {
    const bound: ListenerAddress[] = [];
    for (const listener of this.config.listeners) {
      const server = this.serverFor(listener);
      this.servers.push(server);
      bound.push({ ...listener, port: await this.bind(server, listener) });
    }
    this.filesAtStart = openFilesCount() ?? 0;
    return bound;
  }

  private bind(server: net.Server, { name, host, port }: ListenerAddress): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new SluiceError(
            'SLUICE_ERR_LISTEN',
            err.code === 'EADDRINUSE' ? `${name} listener ${host}:${port} is already in use; stop the other process or pick another port` : `cannot listen on ${host}:${port}: ${err.message}`,
            { cause: err },
          ),
        ),
      );
      // An empty host listens on every interface, as in Kafka's PLAINTEXT://:9092.
      server.listen(port, host === '' ? undefined : host, () => {
        server.removeAllListeners('error');
        server.on('error', (err: NodeJS.ErrnoException) => this.onServerError(err));
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting, then closes every open connection. */
  async close(): Promise<void> {
    const closed = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const s of this.sockets) s.destroy();
    await Promise.all(closed);
  }
}
