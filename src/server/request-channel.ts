// Every Kafka request the broker answers is published on `sluice:server:request`
// once its answer is ready (before it waits behind earlier answers on its
// connection), for metrics and tracing to subscribe to. The dispatch path
// checks `hasSubscribers` before reading the clock or building the message, so
// a broker nobody observes pays one property read per request.

import diagnostics_channel from 'node:diagnostics_channel';

export interface RequestEvent {
  /** The port of the listener that took it: tells brokers sharing a process apart. */
  listenerPort: number;
  /** Kafka's name of the API: Produce, Fetch, ... */
  api: string;
  apiKey: number;
  apiVersion: number;
  /** From its dispatch (the whole frame read and taken by its connection) to the answer being ready (ms); a long-polling Fetch includes its wait. */
  durationMs: number;
  /**
   * The answer's top-level error code (0 when it has none or it is NONE), or the
   * code of a handler that failed. Per-partition error codes are not looked at.
   */
  errorCode: number;
}

export const requestChannel = diagnostics_channel.channel('sluice:server:request');
