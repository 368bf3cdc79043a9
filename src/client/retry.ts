// Runs a client operation again on the failures that may pass (retriable Kafka
// errors, a lost connection, a request timeout) until it succeeds or its
// deadline (a producer's delivery timeout, a caller's request timeout) would
// pass, waiting retryBackoffMs doubling to retryBackoffMaxMs between attempts
// (Kafka's retry.backoff.ms / retry.backoff.max.ms, KIP-580). Before retrying
// after an error that says metadata is stale, and after a lost connection (its
// broker may have stopped leading), the topics named are dropped from the
// client's metadata cache, so the next attempt asks where they are now.
//
//   const offsets = await withRetries(client, ({ remainingMs }) => sendBatch(remainingMs), { timeoutMs: 120_000, topics: ['orders'] });

import { backoffDelayMs } from './backoff.js';
import { ClientError, KafkaError } from './client-error.js';
import type { KafkaClient } from './kafka-client.js';
import { isRetriable, refreshesMetadata } from './retriable.js';

export interface RetryOptions {
  /** Give up once the next attempt would start this long after the first (ms); the last error is thrown. */
  timeoutMs: number;
  /** Wait after the first failure (ms). Default 100, as Kafka's retry.backoff.ms. */
  retryBackoffMs?: number;
  /** The most the wait grows to (ms). Default 1000, as Kafka's retry.backoff.max.ms. */
  retryBackoffMaxMs?: number;
  /** Topics the operation works on: their cached metadata is dropped before a retry that needs it fresh. */
  topics?: readonly string[];
  /** Time, waits and chance; the system's unless a test drives them. */
  timing?: RetryTiming;
}

export interface RetryTiming {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export interface RetryAttempt {
  /** 1 for the first try. */
  attempt: number;
  /** Time left until the deadline (ms), e.g. for the request's own timeout. */
  remainingMs: number;
}

const systemTiming: RetryTiming = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Connection failures of the client that a retry may get past. */
const RETRIABLE_CLIENT_ERRORS = new Set(['SLUICE_ERR_CONNECTION', 'SLUICE_ERR_TIMEOUT']);

/** True for a retriable Kafka error, a lost connection and a request timeout. */
export function isRetriableFailure(err: unknown): boolean {
  if (err instanceof KafkaError) return isRetriable(err.errorCode);
  return err instanceof ClientError && RETRIABLE_CLIENT_ERRORS.has(err.code);
}

function needsFreshMetadata(err: unknown): boolean {
  return err instanceof KafkaError ? refreshesMetadata(err.errorCode) : err instanceof ClientError;
}

export async function withRetries<T>(client: Pick<KafkaClient, 'invalidate'>, operation: (attempt: RetryAttempt) => Promise<T>, options: RetryOptions): Promise<T> {
  const timing = options.timing ?? systemTiming;
  const deadline = timing.now() + options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation({ attempt, remainingMs: Math.max(0, deadline - timing.now()) });
    } catch (err) {
      if (!isRetriableFailure(err)) throw err;
      if (needsFreshMetadata(err)) for (const topic of options.topics ?? []) client.invalidate(topic);
      const delay = backoffDelayMs(attempt, options.retryBackoffMs ?? 100, options.retryBackoffMaxMs ?? 1000, timing.random);
      if (timing.now() + delay >= deadline) throw err;
      await timing.sleep(delay);
    }
  }
}
