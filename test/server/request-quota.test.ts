// request_percentage (KIP-124) over raw requests: a client past its share of
// request handling time gets the throttle time in the answer of any API that
// carries one (Metadata here), then its connection reads nothing more for that
// long (KIP-219: the broker mutes it, whatever the client does); ApiVersions is
// exempt, and another client id is not throttled.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

/** Slack for the answer's trip and timer granularity (ms): far below the throttle asserted against. */
const SLACK_MS = 100;

const metadata = (raw: RawSocket, id: number, clientId: string) => raw.write(encodeRequest(MetadataRequest, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, id, clientId));

test('past request_percentage a Metadata answer carries the throttle time and the connection is muted for it', async (t) => {
  const broker = await startTestBroker(t, { quotaWindowNum: 2, quotaWindowSizeSeconds: 1 });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  // Any handling time at all is past a share this small.
  await new Admin(client).alterClientQuotas([{ entity: { 'client-id': 'busy' }, set: { request_percentage: 1e-9 } }]);

  const raw = await RawSocket.connect(t, broker.port);
  await raw.write(encodeRequest(ApiVersionsRequest, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }, 1, 'busy'));
  assert.equal(decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 3).body.throttleTimeMs, 0, 'ApiVersions is exempt');

  await metadata(raw, 2, 'busy');
  const throttled = decodeResponse(await raw.nextFrame(), MetadataResponse, 12).body;
  const answeredAt = Date.now();
  // Capped at the whole window span (2 × 1 s).
  assert.equal(throttled.throttleTimeMs, 2000);
  await metadata(raw, 3, 'busy');
  await raw.nextFrame(5000);
  const waited = Date.now() - answeredAt;
  assert.ok(waited >= throttled.throttleTimeMs - SLACK_MS, `the next request was answered ${waited} ms after a throttle of ${throttled.throttleTimeMs} ms`);

  const other = await RawSocket.connect(t, broker.port);
  await metadata(other, 1, 'idle');
  assert.equal(decodeResponse(await other.nextFrame(), MetadataResponse, 12).body.throttleTimeMs, 0, 'another client id is not throttled');
});
