// Which broker coordinates a group (FindCoordinator key type 0) or a
// transactional id (key type 1): FindCoordinator to any broker. v4 asks in batch form (KIP-699), older versions for one key; both
// come back as one answer here. The first lookup of a group may find the
// coordinator still loading (the broker creates __consumer_offsets on first
// use): retriable answers are retried briefly before giving up.

import type { Message } from '../protocol/codec.js';
import { ErrorCode, isRetriable } from '../protocol/error-codes.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/messages/find-coordinator.js';
import { KafkaError } from './client-error.js';
import type { KafkaClient } from './kafka-client.js';

const FIND_COORDINATOR = { request: FindCoordinatorRequest, response: FindCoordinatorResponse };
const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
/** Tries before a retriable error is reported, and the pause between them (ms). */
const ATTEMPTS = 20;
const RETRY_BACKOFF_MS = 100;

export interface CoordinatorAddress {
  nodeId: number;
  host: string;
  port: number;
}

export function findGroupCoordinator(client: KafkaClient, groupId: string): Promise<CoordinatorAddress> {
  return findCoordinator(client, KEY_TYPE_GROUP, groupId, `group '${groupId}'`);
}

export function findTransactionCoordinator(client: KafkaClient, transactionalId: string): Promise<CoordinatorAddress> {
  return findCoordinator(client, KEY_TYPE_TRANSACTION, transactionalId, `transactional id '${transactionalId}'`);
}

async function findCoordinator(client: KafkaClient, keyType: number, key: string, what: string): Promise<CoordinatorAddress> {
  for (let attempt = 1; ; attempt++) {
    const conn = await client.any();
    const v4 = conn.versionFor(FIND_COORDINATOR) >= 4;
    const res = await conn.send(FIND_COORDINATOR, { key, keyType, coordinatorKeys: [key] });
    const answer: Message = v4 ? (res.coordinators[0] ?? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null }) : res;
    if (answer.errorCode === ErrorCode.NONE) return { nodeId: answer.nodeId, host: answer.host, port: answer.port };
    if (!isRetriable(answer.errorCode) || attempt >= ATTEMPTS) {
      throw new KafkaError(answer.errorCode, answer.errorMessage ?? null, `find the coordinator of ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS));
  }
}
