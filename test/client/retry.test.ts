// withRetries: retriable failures are tried again on the backoff schedule
// until the deadline, stale metadata is dropped before the retry that needs it
// fresh, and anything else (or a closed client) fails at once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, ClientError, KafkaClient, KafkaError, type RetryOptions, type RetryTiming, isRetriableFailure, withRetries } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestBrokerWithClient } from '../helpers/broker.js';
import { startUnresponsiveBroker } from '../helpers/unresponsive-broker.js';

/** Time that moves only when the retry loop sleeps; jitter fixed at its middle. */
function fakeTiming(): RetryTiming & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
}

/** Runs Metadata requests under withRetries, asserts they end with `code`, and counts the attempts. */
async function assertRetriedMetadataFails(client: KafkaClient, code: string, options: RetryOptions): Promise<{ attempts: number }> {
  let attempts = 0;
  const metadata = () => {
    attempts++;
    return client.metadata([]);
  };
  await assert.rejects(withRetries(client, metadata, options), (err: ClientError) => err.code === code);
  return { attempts };
}

const notLeader = () => new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, null, 'produce to t-0');

test('retries wait 100 ms doubling, and stop with the last error before the deadline would pass', async () => {
  const timing = fakeTiming();
  const remaining: number[] = [];
  const failure = withRetries(
    { invalidate: () => {} },
    async ({ attempt, remainingMs }) => {
      remaining.push(remainingMs);
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, null, `attempt ${attempt}`);
    },
    { timeoutMs: 1000, timing },
  );
  await assert.rejects(failure, /attempt 4/);
  assert.deepEqual(timing.slept, [100, 200, 400], 'the fourth wait (800 ms) would end past the deadline');
  assert.deepEqual(remaining, [1000, 900, 700, 300]);
});

test('a failure that is not retriable is thrown at once', async () => {
  let attempts = 0;
  const tooLarge = new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, null, 'produce to t-0');
  await assert.rejects(
    withRetries(
      { invalidate: () => {} },
      async () => {
        attempts++;
        throw tooLarge;
      },
      { timeoutMs: 60_000, timing: fakeTiming() },
    ),
    (err) => err === tooLarge,
  );
  assert.equal(attempts, 1);
  assert.equal(isRetriableFailure(new ClientError('SLUICE_ERR_PROTOCOL', 'x')), false);
  assert.equal(isRetriableFailure(new Error('bug')), false);
});

test('after a stale-metadata error the named topics are asked for again, so the retry sees partitions added meanwhile', async (t) => {
  const { client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('moved', 1);
  await client.cachedTopic('moved');
  await admin.createPartitions('moved', 2);

  const seen: number[] = [];
  const partitions = await withRetries(
    client,
    async () => {
      const count = (await client.cachedTopic('moved')).partitions.length;
      seen.push(count);
      if (count < 2) throw notLeader();
      return count;
    },
    { timeoutMs: 10_000, topics: ['moved'], timing: fakeTiming() },
  );
  assert.equal(partitions, 2);
  assert.deepEqual(seen, [1, 2]);
});

test('request timeouts against a broker that never answers are retried, each on a new connection, until the deadline', async (t) => {
  const server = await startUnresponsiveBroker(t, 'silent');
  const client = new KafkaClient({ bootstrap: server.bootstrap, requestTimeoutMs: 100 });
  t.after(() => client.close());
  const { attempts } = await assertRetriedMetadataFails(client, 'SLUICE_ERR_TIMEOUT', { timeoutMs: 600, retryBackoffMs: 10, retryBackoffMaxMs: 10 });
  assert.ok(attempts >= 2, `${attempts} attempts`);
  assert.equal(server.connections(), attempts);
});

test('a closed client is not retried', async (t) => {
  const { broker } = await startTestBrokerWithClient(t);
  const client = new KafkaClient({ bootstrap: [broker.bootstrap, broker.bootstrap.replace('127.0.0.1', 'localhost')] });
  await client.metadata([]);
  await client.close();
  const { attempts } = await assertRetriedMetadataFails(client, 'SLUICE_ERR_CLOSED', { timeoutMs: 10_000, timing: fakeTiming() });
  assert.equal(attempts, 1);
});
