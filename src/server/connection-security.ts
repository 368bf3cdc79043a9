// What a connection knows about its security: the listener it came in on and
// the principal it acts as (ANONYMOUS, a client certificate's subject, or the
// user a SASL exchange authenticated), and on SASL listeners the exchange.

import type { SecurityProtocol } from '../listener-config.js';
import type { Principal } from './principal.js';
import type { SaslSession } from './sasl/sasl-session.js';

export interface ConnectionSecurity {
  readonly listener: SecurityProtocol;
  principal: Principal;
  /** On SASL listeners: the authentication every request waits for; null elsewhere. */
  sasl: SaslSession | null;
}
