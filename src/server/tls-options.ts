// The TLS settings of SSL and SASL_SSL listeners, read from the PEM files the
// config names once at start-up. TLS 1.2 is the oldest version offered, as in
// Kafka's default ssl.enabled.protocols.

import fs from 'node:fs';
import type tls from 'node:tls';
import type { BrokerConfig } from '../config.js';
import { ConfigError } from '../errors.js';

function readPem(option: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${option}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function tlsServerOptions(config: BrokerConfig): tls.TlsOptions {
  const options: tls.TlsOptions = {
    cert: readPem('tlsCert', config.tlsCert),
    key: readPem('tlsKey', config.tlsKey),
    minVersion: 'TLSv1.2',
    // A client certificate is asked for when wanted; whether it verified is judged per connection (kafka-listener.ts).
    requestCert: config.tlsClientAuth !== 'none',
    rejectUnauthorized: false,
  };
  if (config.tlsCa !== '') options.ca = readPem('tlsCa', config.tlsCa);
  return options;
}
