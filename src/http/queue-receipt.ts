// A receipt: what a message received over HTTP is settled by (ack, release,
// reject). Opaque to clients, base64url of a JSON array naming the record
// (topic id, partition, offset), the delivery it was given in (its delivery
// count) and the holder (the HTTP API's member of the group):
//
//   [1, "<topic id hex>", partition, offset, deliveryCount, "<member id>"]
//
// The delivery count tells a stale receipt from a live one when the same
// member took the record again after its lock expired; the topic id, a topic
// deleted and created again; the member id, a receipt of another broker's HTTP
// API or of a member that has since left. Receipts are not secrets: whoever may
// settle messages of the API may settle any of them.

import type { HeldRecord } from '../coordinator/share/share-requests.js';
import { HttpApiError } from './errors.js';

const VERSION = 1;

export interface Receipt extends HeldRecord {
  memberId: string;
}

/** Longest receipt accepted (a 32-hex topic id, a UUID member id and numbers fit in well under this). */
export const MAX_RECEIPT_LENGTH = 256;

export function encodeReceipt(r: Receipt): string {
  return Buffer.from(JSON.stringify([VERSION, r.topicId, r.partition, r.offset, r.deliveryCount, r.memberId])).toString('base64url');
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

export function decodeReceipt(text: string): Receipt {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    fields = null;
  }
  if (!Array.isArray(fields) || fields.length !== 6) throw badReceipt(text);
  const [version, topicId, partition, offset, deliveryCount, memberId] = fields;
  if (version !== VERSION || typeof topicId !== 'string' || !/^[0-9a-f]{32}$/.test(topicId) || !isCount(partition) || !isCount(offset) || !isCount(deliveryCount) || typeof memberId !== 'string' || memberId === '') {
    throw badReceipt(text);
  }
  return { topicId, partition, offset, deliveryCount, memberId };
}

function badReceipt(text: string): HttpApiError {
  return new HttpApiError(400, 'SLUICE_HTTP_BAD_RECEIPT', `'${text.slice(0, 40)}' is not a receipt`, 'send the receipt strings POST /queues/{group}/receive returned, unchanged');
}
