// startBroker that fails after its listener is bound gives the port back, so
// an embedding process neither hangs on an open server nor keeps the port.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { startBroker } from '../src/start-broker.js';
import { makeDataDir } from './helpers/broker-process.js';
import { freePort } from './helpers/free-port.js';

test('a start that fails on unreadable cluster metadata closes its listener and frees the port', async (t) => {
  const dataDir = await makeDataDir(t);
  await fs.writeFile(path.join(dataDir, 'cluster.json'), 'not json');
  const port = await freePort();
  await assert.rejects(startBroker({ port, dataDir, logLevel: 'silent' }));
  // The port can be bound again: the failed start's listener is closed.
  const again = net.createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => again.close(() => resolve()));
});
