// PRODUCER_FENCED (KIP-588) exists only from certain versions of each
// transactional API; older clients get INVALID_PRODUCER_EPOCH, as Kafka answers.

import { ErrorCode } from '../../protocol/error-codes.js';

/** `code`, with PRODUCER_FENCED turned into INVALID_PRODUCER_EPOCH below `fencedFrom`. */
export function fencedForVersion(code: number, version: number, fencedFrom: number): number {
  return code === ErrorCode.PRODUCER_FENCED && version < fencedFrom ? ErrorCode.INVALID_PRODUCER_EPOCH : code;
}
