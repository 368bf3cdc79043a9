// FindCoordinator v0-4 (v3+ flexible; v4 looks up a batch of keys, KIP-699).
// The coordinator of a group (classic, consumer or share group) is the leader
// of its partition of __consumer_offsets; of a transactional id, the leader of
// its partition of __transaction_state (coordinator/coordinator-placement.ts).
// An offline partition, or a leader not among the live brokers, answers
// COORDINATOR_NOT_AVAILABLE, which clients retry. As in Kafka, the first
// lookup of a group creates __consumer_offsets (of a transactional id,
// __transaction_state); the answer waits for it.
// v0 stays advertised: librdkafka only starts group coordination when the
// FindCoordinator range includes 0.

import { coordinatorBroker } from '../../coordinator/coordinator-placement.js';
import { OFFSETS_TOPIC } from '../../coordinator/group/offset-store.js';
import { TXN_STATE_TOPIC } from '../../coordinator/txn/txn-state-store.js';
import { endpointFor } from '../../cluster/broker-endpoints.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import type { Message } from '../../protocol/codec.js';
import { DESCRIBE, mayOnGroup, mayOnTransactionalId } from './authorize.js';
import type { ApiHandler, RequestContext } from './handler.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

/** The internal topic placing keys of `keyType`, or null for a key type this broker does not coordinate. */
function placingTopic(keyType: number): string | null {
  if (keyType === KEY_TYPE_GROUP) return OFFSETS_TOPIC;
  if (keyType === KEY_TYPE_TRANSACTION) return TXN_STATE_TOPIC;
  return null;
}

/** Kafka's check: DESCRIBE on the group or the transactional id named by the key. */
function refusal(key: string, keyType: number, ctx: RequestContext): number {
  if (keyType === KEY_TYPE_GROUP) return mayOnGroup(ctx, DESCRIBE, key) ? ErrorCode.NONE : ErrorCode.GROUP_AUTHORIZATION_FAILED;
  if (keyType === KEY_TYPE_TRANSACTION) return mayOnTransactionalId(ctx, DESCRIBE, key) ? ErrorCode.NONE : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  return ErrorCode.NONE;
}

function coordinatorFor(key: string, keyType: number, ready: boolean, ctx: RequestContext): Message {
  const refused = refusal(key, keyType, ctx);
  if (refused !== ErrorCode.NONE) return { key, nodeId: -1, host: '', port: -1, errorCode: refused, errorMessage: `not allowed to find the coordinator of '${key}'` };
  const topic = placingTopic(keyType);
  const found = topic !== null && ready ? coordinatorBroker(ctx.broker.cluster, topic, key) : null;
  // A coordinator without the request's listener cannot be reached by this client.
  const at = found ? endpointFor(found, ctx.listener) : null;
  if (found && at) return { key, nodeId: found.nodeId, host: at.host, port: at.port, errorCode: ErrorCode.NONE, errorMessage: null };
  return {
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode: topic !== null ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST,
    errorMessage: topic !== null ? 'the coordinator is not available' : `unknown key type ${keyType}`,
  };
}

export const findCoordinator: ApiHandler = {
  apiKey: 10,
  minVersion: 0,
  maxVersion: 4,
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
  async handle(req, ctx) {
    let ready = true;
    if (req.keyType === KEY_TYPE_GROUP) {
      try {
        await ctx.groups.ensureOffsetsTopic();
      } catch (err) {
        ctx.log.error({ err }, 'cannot create __consumer_offsets');
        ready = false;
      }
    } else if (req.keyType === KEY_TYPE_TRANSACTION) {
      try {
        await ctx.txns.ensureTopic();
      } catch (err) {
        ctx.log.error({ err }, 'cannot create __transaction_state');
        ready = false;
      }
    }
    if (ctx.apiVersion >= 4) {
      return { throttleTimeMs: 0, coordinators: req.coordinatorKeys.map((key: string) => coordinatorFor(key, req.keyType, ready, ctx)) };
    }
    const { errorCode, errorMessage, nodeId, host, port } = coordinatorFor(req.key, req.keyType, ready, ctx);
    return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port };
  },
};
