// The Kafka TCP listener: accepts connections and hands each to a Connection.

import net from 'node:net';
import type { Broker } from '../broker/broker.js';
import type { BrokerConfig } from '../config.js';
import type { GroupCoordinator } from '../coordinator/group/group-coordinator.js';
import type { TransactionCoordinator } from '../coordinator/txn/transaction-coordinator.js';
import type { ProducerIdManager } from '../broker/producer-ids.js';
import type { Logger } from '../logger.js';
import { SluiceError } from '../errors.js';
import { Connection } from './connection.js';
import type { FaultInjector } from './fault-hook.js';
import { QueuedRequestBytes } from './queued-request-bytes.js';

export class KafkaListener {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private broker: Broker | null = null;
  private groups: GroupCoordinator | null = null;
  private txns: TransactionCoordinator | null = null;
  private producerIds: ProducerIdManager | null = null;

  /** `faults`: test-only fault injection (fault-hook.ts), null in every real broker. */
  constructor(config: BrokerConfig, log: Logger, faults: FaultInjector | null = null) {
    const queuedRequestBytes = new QueuedRequestBytes(config.queuedMaxRequestBytes);
    this.server = net.createServer((socket) => {
      // Until the broker is attached (start-up), connections are refused.
      if (!this.broker || !this.groups || !this.txns || !this.producerIds) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      new Connection(socket, this.broker, this.groups, this.txns, this.producerIds, config, log, queuedRequestBytes, faults);
    });
  }

  /** Starts serving requests with `broker` and the coordinators. The port is bound first so metadata can name it. */
  attach(broker: Broker, groups: GroupCoordinator, txns: TransactionCoordinator, producerIds: ProducerIdManager): void {
    this.producerIds = producerIds;
    this.broker = broker;
    this.groups = groups;
    this.txns = txns;
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
