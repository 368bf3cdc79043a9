// The throttle a request's answer carries, from the quotas it counts against
// (broker/quota/client-quota-manager.ts): Produce's request bytes against
// producer_byte_rate, and every request's handling time against
// request_percentage. Fetch's response bytes are counted by its handler, which
// must answer empty when throttled (server/api/fetch.ts).
//
// request_percentage, as Kafka's, is a share of one thread's time per second
// (100 = a whole thread): here the event loop's time spent decoding the
// request and running its handler up to its first wait (Kafka: time on the
// network and request handler threads). Time a handler spends waiting (a
// long-poll, an fsync) is not counted, as Kafka does not count it.

import type { Message } from '../protocol/codec.js';
import type { ClientQuotaManager } from '../broker/quota/client-quota-manager.js';

const PRODUCE = 0;
const FETCH = 1;
/**
 * SaslHandshake, ApiVersions, SaslAuthenticate: a client must be able to connect
 * and log in whatever its quota (Kafka exempts them as well).
 */
const EXEMPT = new Set([17, 18, 36]);

/** One ms of handling time in a second, as a percentage of that second. */
const PERCENT_PER_MS = 100 / 1000;

/** Who a request counts against and what it cost. */
export interface RequestCost {
  user: string;
  clientId: string;
  /** Event-loop time spent decoding and handling it (ms). */
  handlerMs: number;
}

/** Records what the request counts against its quotas; returns its throttle time (ms, 0 for none). */
export function requestThrottleMs(quotas: ClientQuotaManager, apiKey: number, request: Message, requestBytes: number, cost: RequestCost): number {
  // A follower's fetches are replication, not a client's (Kafka has replication quotas for those).
  if (EXEMPT.has(apiKey) || (apiKey === FETCH && request.replicaId >= 0)) return 0;
  const bandwidth = apiKey === PRODUCE ? quotas.record('produce', cost.user, cost.clientId, requestBytes) : 0;
  return Math.max(bandwidth, quotas.record('request', cost.user, cost.clientId, cost.handlerMs * PERCENT_PER_MS));
}
