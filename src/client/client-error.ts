// Errors raised by the client; `code` is stable (see docs/errors.md).
// Kafka errors returned by the broker carry the Kafka error code and name.

import { SluiceError } from '../errors.js';
import { errorName } from '../protocol/error-codes.js';

export class ClientError extends SluiceError {}

export class KafkaError extends SluiceError {
  constructor(
    readonly errorCode: number,
    message: string | null,
    context: string,
    options?: { hint?: string },
  ) {
    super('SLUICE_ERR_KAFKA', `${context}: ${errorName(errorCode)}${message ? ` (${message})` : ''}`, options);
  }
}

/** Throws KafkaError when `errorCode` is not NONE. */
export function check(errorCode: number, message: string | null, context: string): void {
  if (errorCode !== 0) throw new KafkaError(errorCode, message, context);
}
