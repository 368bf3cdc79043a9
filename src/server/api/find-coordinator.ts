// FindCoordinator v0-4 (v3+ flexible; v4 looks up a batch of keys, KIP-699).
// Single node: the coordinator of every group and transactional id is this
// broker. As in Kafka, the first lookup of a group creates __consumer_offsets
// (of a transactional id, __transaction_state); the answer waits for it.
// v0 stays advertised: librdkafka only starts group coordination when the
// FindCoordinator range includes 0.

import { ErrorCode } from '../../protocol/error-codes.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler, RequestContext } from './handler.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

function coordinatorFor(key: string, keyType: number, ready: boolean, ctx: RequestContext): Message {
  const self = ctx.broker.cluster.brokers().find((b) => b.nodeId === ctx.config.nodeId);
  if ((keyType === KEY_TYPE_GROUP || keyType === KEY_TYPE_TRANSACTION) && self && ready) {
    return { key, nodeId: self.nodeId, host: self.host, port: self.port, errorCode: ErrorCode.NONE, errorMessage: null };
  }
  const known = keyType === KEY_TYPE_GROUP || keyType === KEY_TYPE_TRANSACTION;
  return {
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode: known ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST,
    errorMessage: known ? 'the coordinator is not available' : `unknown key type ${keyType}`,
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
