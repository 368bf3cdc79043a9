// How a broker connects to another to replicate and to send transaction
// markers: as a client of the other's inter-broker listener
// (interBrokerListenerName), with TLS where that listener speaks it (the CAs of
// tlsCa, else Node's; its own certificate offered, so a listener asking for
// client certificates sees the broker's subject) and a SASL login as
// interBrokerSaslUsername where it asks for one. Without an inter-broker
// listener: plain TCP, as User:ANONYMOUS.

import fs from 'node:fs';
import type { ConnectionOptions } from '../client/connection.js';
import type { SaslMechanism } from '../client/client-security.js';
import type { BrokerConfig } from '../config.js';
import { type SecurityProtocol, usesSasl, usesTls } from '../listener-config.js';

export type InterBrokerSecurity = Pick<ConnectionOptions, 'tls' | 'sasl'>;

/** Read once, at start: the certificate files are not read again per connection. */
export function interBrokerSecurity(config: BrokerConfig): InterBrokerSecurity {
  const name = config.interBrokerListenerName as SecurityProtocol | '';
  if (name === '') return {};
  const security: InterBrokerSecurity = {};
  if (usesTls(name)) {
    security.tls = {
      ca: config.tlsCa === '' ? undefined : fs.readFileSync(config.tlsCa),
      cert: fs.readFileSync(config.tlsCert),
      key: fs.readFileSync(config.tlsKey),
    };
  }
  if (usesSasl(name)) {
    security.sasl = { mechanism: config.interBrokerSaslMechanism as SaslMechanism, username: config.interBrokerSaslUsername, password: config.interBrokerSaslPassword };
  }
  return security;
}
