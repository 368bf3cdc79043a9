// A Sluice GroupConsumer with its poll loop, for group tests: every record it
// polls lands in `records`, every onRevoked call in `revoked`. pause() ends
// the poll in progress and calls no other until resume(): a member sends
// JoinGroup only from poll(), so a paused member holds a rebalance open
// until it resumes (or its session or rebalance timeout ends it).

import type { TestContext } from 'node:test';
import { type ConsumedRecord, GroupConsumer, type GroupConsumerOptions, KafkaClient, type TopicPartitions } from '../../src/client/index.js';
import { groupConsumerChannel } from '../../src/client/group-consumer.js';
import { defer } from './broker-process.js';

/** A Sluice cooperative-sticky member of `groupId` on `topic`: quick heartbeats and commits, reading from the earliest offset. */
export function cooperativeOptions(groupId: string, topic: string): GroupConsumerOptions {
  return {
    groupId,
    topics: [topic],
    assignors: ['cooperative-sticky'],
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 100,
    maxWaitMs: 100,
    autoCommitIntervalMs: 100,
  };
}

export interface GroupMember {
  consumer: GroupConsumer;
  records: ConsumedRecord[];
  revoked: TopicPartitions[][];
  /** The generation it was in each time it sent JoinGroup to rejoin one (from the `sluice:client:group` channel). */
  rejoins: number[];
  /** What the poll loop threw, if it stopped on an error. */
  failure(): unknown;
  /** The partitions it owns now (of every topic), sorted. */
  partitions(): number[];
  /** Resolves once the loop waits. */
  pause(): Promise<void>;
  resume(): void;
  /** Stops the loop and closes the consumer and its client. */
  close(options?: { leaveGroup?: boolean }): Promise<void>;
}

/** Starts a member on a client of its own (clientId `name`), closed by the test's cleanup at the latest. */
export function startGroupMember(t: TestContext, bootstrap: string, name: string, options: GroupConsumerOptions): GroupMember {
  const client = new KafkaClient({ bootstrap, clientId: name });
  const revoked: TopicPartitions[][] = [];
  const consumer = new GroupConsumer(client, {
    ...options,
    onRevoked: (partitions) => {
      revoked.push(partitions);
      options.onRevoked?.(partitions);
    },
  });
  const rejoins: number[] = [];
  const onEvent = (message: unknown) => {
    const e = message as { event: string; memberId: string; generationId: number };
    if (e.event === 'join' && e.generationId >= 0 && e.memberId === consumer.memberId) rejoins.push(e.generationId);
  };
  groupConsumerChannel.subscribe(onEvent);
  const records: ConsumedRecord[] = [];
  let running = true;
  let failure: unknown = null;
  let gate: Promise<void> | null = null;
  let open = () => {};
  let parked = () => {};
  const loop = (async () => {
    while (running) {
      if (gate) {
        parked();
        await gate;
      }
      records.push(...(await consumer.poll()));
    }
  })().catch((err: unknown) => void (failure = err));
  const member: GroupMember = {
    consumer,
    records,
    revoked,
    rejoins,
    failure: () => failure,
    partitions: () => consumer.assignment().flatMap((tp) => tp.partitions).sort((a, b) => a - b),
    pause: () => {
      const waiting = new Promise<void>((resolve) => (parked = resolve));
      gate ??= new Promise<void>((resolve) => (open = resolve));
      consumer.wakeup();
      return waiting;
    },
    resume: () => {
      gate = null;
      open();
    },
    close: async (closeOptions) => {
      if (!running) return;
      running = false;
      member.resume();
      consumer.wakeup();
      await loop;
      await consumer.close(closeOptions);
      await client.close();
      groupConsumerChannel.unsubscribe(onEvent);
    },
  };
  defer(t, member.close);
  return member;
}
