// Every authentication outcome on a Kafka listener (and every failed login to
// the HTTP API) is published on
// `sluice:server:authentication`: a connection whose principal is known (a
// verified client certificate, a SASL exchange that succeeded) and every failed
// attempt. Metrics count the failures; tests watch the principals.

import diagnostics_channel from 'node:diagnostics_channel';
import type { SecurityProtocol } from '../listener-config.js';

export interface AuthenticationEvent {
  /** The Kafka listener, or HTTP for the HTTP API (http/basic-auth.ts). */
  listener: SecurityProtocol | 'HTTP';
  /** The port of the listener (or of the HTTP API): tells brokers sharing a process apart. */
  listenerPort: number;
  /** The client's address as the server sees it. */
  clientHost: string;
  /** `User:...` as the client claimed or proved it; for a failure, the name it claimed, if any. */
  principal: string;
  /** 'TLS' for a client certificate, 'BASIC' for the HTTP API, else the SASL mechanism. */
  mechanism: string;
  succeeded: boolean;
}

export const authenticationChannel = diagnostics_channel.channel('sluice:server:authentication');

export function publishAuthentication(event: AuthenticationEvent): void {
  if (authenticationChannel.hasSubscribers) authenticationChannel.publish(event);
}
