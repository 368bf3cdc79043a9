// Kafka listeners as configured: `NAME://host:port,...` where the name is one of
// Kafka's security protocols (Kafka's default listener.security.protocol.map
// maps each protocol's name to itself; Sluice knows no other names).
//
//   listeners            where the broker binds, one port each
//   advertised.listeners what Metadata tells clients that came in on that listener

import { ConfigError } from './errors.js';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export interface ListenerAddress {
  name: SecurityProtocol;
  host: string;
  /** 0 on a listener: a free port; 0 on an advertised listener: the port the listener bound. */
  port: number;
}

/** Whether connections on this listener speak TLS. */
export const usesTls = (name: SecurityProtocol): boolean => name === 'SSL' || name === 'SASL_SSL';

/** Whether clients on this listener must authenticate with SASL before any other request. */
export const usesSasl = (name: SecurityProtocol): boolean => name === 'SASL_PLAINTEXT' || name === 'SASL_SSL';

export const formatListeners = (list: readonly ListenerAddress[]): string => list.map((l) => `${l.name}://${hostText(l.host)}:${l.port}`).join(',');

/** An IPv6 literal is written in brackets, as in Kafka's listener strings. */
const hostText = (host: string): string => (host.includes(':') ? `[${host}]` : host);

const LISTENER = /^([A-Z_]+):\/\/(\[[^\]]*\]|[^:/[\]]*):(\d{1,5})$/;

/**
 * Parses `option` ("listeners" or "advertisedListeners"): a comma-separated
 * string or an array of such strings, or already parsed entries. Each name may
 * appear once: Kafka keys listeners by name.
 */
export function parseListeners(option: string, value: unknown): ListenerAddress[] {
  const items = typeof value === 'string' ? value.split(',').map((x) => x.trim()).filter((x) => x !== '') : value;
  if (!Array.isArray(items)) throw new ConfigError(`${option} must be a list such as PLAINTEXT://127.0.0.1:9092,SSL://0.0.0.0:9093, got ${JSON.stringify(value)}`);
  const parsed = items.map((item) => parseOne(option, item));
  const seen = new Set<string>();
  for (const l of parsed) {
    if (seen.has(l.name)) throw new ConfigError(`${option} names ${l.name} twice; each listener needs a port of its own`);
    seen.add(l.name);
  }
  return parsed;
}

function parseOne(option: string, item: unknown): ListenerAddress {
  if (typeof item === 'object' && item !== null) {
    const o = item as Record<string, unknown>;
    return parseOne(option, `${String(o.name)}://${hostText(String(o.host ?? ''))}:${String(o.port)}`);
  }
  const match = typeof item === 'string' ? LISTENER.exec(item) : null;
  if (!match) throw new ConfigError(`${option}: "${String(item)}" is not NAME://host:port`);
  const name = match[1] as SecurityProtocol;
  if (!SECURITY_PROTOCOLS.includes(name)) throw new ConfigError(`${option}: unknown listener ${match[1]}; the names are the security protocols ${SECURITY_PROTOCOLS.join(', ')}`);
  const port = Number(match[3]);
  if (port > 65535) throw new ConfigError(`${option}: port ${port} of ${name} is not a port`);
  return { name, host: match[2].replace(/^\[(.*)\]$/, '$1'), port };
}
