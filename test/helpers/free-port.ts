// A loopback port free a moment ago, for a listener a test starts itself, or
// an address where nothing listens. It lies outside the kernel's range of
// ephemeral ports (ip_local_port_range), where outgoing connections take their
// local ports: a port bound to 0 comes from that range, and once the listener
// given it stops (a broker a test restarts on the same port) any connection on
// the machine may take it. Outside the range only another listener can.

import fs from 'node:fs';
import net from 'node:net';

/** Lowest port handed out: above the registered ports services commonly use. */
const LOWEST = 10_000;
const HIGHEST = 65_535;
/** Ports this process handed out already: two calls never give the same one, bound or not. */
const handedOut = new Set<number>();

/** The ports outside the ephemeral range, from LOWEST up: [first, end) intervals. */
function portsOutsideEphemeralRange(): [number, number][] {
  let [low, high] = [32_768, 60_999]; // Linux's default
  try {
    const read = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (read.length === 2 && read.every(Number.isInteger)) [low, high] = read;
  } catch {
    // Not Linux: keep the default.
  }
  return [
    [LOWEST, low],
    [high + 1, HIGHEST + 1],
  ].filter(([first, end]) => end > first) as [number, number][];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  const ranges = portsOutsideEphemeralRange();
  const size = ranges.reduce((n, [first, end]) => n + end - first, 0);
  for (let attempt = 0; attempt < 200 && size > 0; attempt++) {
    let k = Math.floor(Math.random() * size);
    let port = -1;
    for (const [first, end] of ranges) {
      if (k < end - first) {
        port = first + k;
        break;
      }
      k -= end - first;
    }
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port outside the ephemeral range (ip_local_port_range)');
}
