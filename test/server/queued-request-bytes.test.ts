// queuedMaxRequestBytes (Kafka's queued.max.request.bytes) counts request bytes
// read and not yet answered over all connections: while they are at the limit no
// connection reads another request, and the ones held back are served, in order,
// once answers release the bytes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

test('while queued request bytes are at queuedMaxRequestBytes, other connections wait, and are served once answers release them', async (t) => {
  const LIMIT = 64;
  const broker = await startInProcessBroker(t, { queuedMaxRequestBytes: LIMIT });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  await new Admin(client).createTopic('qb', 1);

  // A long poll on an empty partition: its frame alone passes the limit, until it is answered.
  const parked = await RawSocket.connect(t, broker.port);
  const fetch = encodeRequest(FetchRequest, 11, { maxWaitMs: 500, minBytes: 1, topics: [{ topic: 'qb', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] }] }, 1);
  assert.ok(fetch.length > LIMIT);
  await parked.write(fetch);
  const fetched = parked.nextFrame(2000).then((f) => ({ at: process.hrtime.bigint(), f }));

  const other = await RawSocket.connect(t, broker.port);
  await other.write(encodeRequest(ApiVersionsRequest, 0, {}, 2));
  const versions = await other.nextFrame(2000);
  const versionsAt = process.hrtime.bigint();
  const first = await fetched;
  assert.ok(first.at <= versionsAt, 'the held-back ApiVersions is answered only after the long poll released its bytes');
  assert.equal(decodeResponse(first.f, FetchResponse, 11).body.responses[0].partitions[0].errorCode, ErrorCode.NONE);
  assert.equal(decodeResponse(versions, ApiVersionsResponse, 0).body.errorCode, ErrorCode.NONE);
});
