// A TCP proxy a test puts on a link it wants to break: brokers fetch replicas
// through it (--replication-address), and `cut()` turns the link into a
// black hole, as a network partition does: connections stay open and every
// byte sent is swallowed, so the other side sees silence and time-outs, not a
// refusal. `heal()` closes the swallowed connections (their peers reconnect)
// and forwards again.
//
//   const proxy = await startFaultProxy(t, brokerPort);
//   ... '--replication-address', proxy.address ...
//   proxy.cut(); ...; proxy.heal();

import net from 'node:net';
import type { TestContext } from 'node:test';
import { defer } from './broker-process.js';

export interface FaultProxy {
  readonly port: number;
  /** "127.0.0.1:port", for --replication-address. */
  readonly address: string;
  readonly isCut: boolean;
  /** Swallows everything from now on, on open connections and new ones. */
  cut(): void;
  /** Forwards again; connections opened while cut are closed. */
  heal(): void;
}

export async function startFaultProxy(t: TestContext, targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  let cut = false;
  const links = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  const server = net.createServer((client) => {
    const link = { client, upstream: null as net.Socket | null };
    links.add(link);
    client.on('close', () => {
      links.delete(link);
      link.upstream?.destroy();
    });
    client.on('error', () => {});
    if (cut) {
      client.resume();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    link.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => {
      if (!cut) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!cut) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  defer(t, async () => {
    for (const { client, upstream } of links) {
      client.destroy();
      upstream?.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
    },
    heal() {
      cut = false;
      // A connection that lost bytes cannot carry on: its peers must reconnect.
      for (const { client, upstream } of links) {
        client.destroy();
        upstream?.destroy();
      }
    },
  };
}
