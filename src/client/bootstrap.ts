// The addresses a client starts from: `bootstrap: 'h1:9092,h2:9092'` or an
// array of them. They are only a way in: the client asks whichever answers
// first for Metadata, and brokers and leaders then come from that.

import { ClientError } from './client-error.js';

export interface BrokerAddress {
  host: string;
  port: number;
}

export function parseHostPort(s: string): BrokerAddress {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ClientError('SLUICE_ERR_CONFIG', `bootstrap address must look like host:port, got "${s}"`);
  }
  return { host: s.slice(0, i), port };
}

/** Every address of a comma-separated list (or an array of them); at least one. */
export function parseBootstrap(bootstrap: string | string[]): BrokerAddress[] {
  const entries = (Array.isArray(bootstrap) ? bootstrap : [bootstrap]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw new ClientError('SLUICE_ERR_CONFIG', 'bootstrap needs at least one host:port');
  return entries.map(parseHostPort);
}

/** A copy of `items` in random order (Fisher-Yates), so clients spread over the bootstrap brokers. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
