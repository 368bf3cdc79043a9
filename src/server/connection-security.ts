// What a connection knows about its security: the listener it came in on and
// the principal it acts as (ANONYMOUS, a client certificate's subject, or the
// user a SASL exchange authenticated).

import type { SecurityProtocol } from '../listener-config.js';
import type { Principal } from './principal.js';

export interface ConnectionSecurity {
  readonly listener: SecurityProtocol;
  principal: Principal;
}
