// A coordinator write refused or dropped because this broker does not (or no
// longer) lead the internal-topic partition it goes to; answered to clients
// as NOT_COORDINATOR, which sends them to FindCoordinator.

import { SluiceError } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';

export class NotCoordinatorError extends SluiceError {
  constructor(topic: string, partition: number) {
    super('SLUICE_ERR_NOT_COORDINATOR', `this broker does not lead partition ${partition} of ${topic}`);
  }
}

/** The error code answering a failed coordinator write: NOT_COORDINATOR when leadership moved, else COORDINATOR_NOT_AVAILABLE. */
export function writeFailureCode(err: unknown): number {
  return err instanceof NotCoordinatorError ? ErrorCode.NOT_COORDINATOR : ErrorCode.COORDINATOR_NOT_AVAILABLE;
}
