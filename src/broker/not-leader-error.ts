// Thrown when a write reaches a replica that does not lead its partition (or
// no longer may: its registration lapsed). Carries the Kafka code, so a
// request that fails with it is answered NOT_LEADER_OR_FOLLOWER and the client
// refreshes its metadata.

import { ErrorCode } from '../protocol/error-codes.js';

export class NotLeaderError extends Error {
  readonly errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;

  constructor(topic: string, partition: number) {
    super(`this broker does not lead ${topic}-${partition}`);
  }
}
