// Fresh identifiers a control plane hands out.

import { randomBytes, randomUUID } from 'node:crypto';

/** A topic UUID (KIP-516); never the zero UUID, which means "no id" on the wire. */
export function newTopicId(): Buffer {
  let id: Buffer;
  do id = randomBytes(16);
  while (id.every((b) => b === 0));
  return id;
}

/** A cluster id as Kafka's: a UUID as 22 characters of base64url. */
export function newClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}
