// KafkaClient.close(): whatever still waits (an answer, a negotiation, a
// reconnect backoff) rejects with SLUICE_ERR_CLOSED, every pooled connection
// closes, and nothing of the client keeps the process alive.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { refusedAddress, startUnresponsiveBroker } from '../helpers/unresponsive-broker.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/client-closed-while-waiting.js');
/** Far below the child's minute-long timers: exiting within it means none was left running. */
const EXIT_WITHIN_MS = 15_000;

test('close() rejects what waits with SLUICE_ERR_CLOSED and leaves nothing that keeps the process alive', async (t) => {
  const hangs = await startUnresponsiveBroker(t, 'hangs');
  const silent = await startUnresponsiveBroker(t, 'silent');
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, hangs.bootstrap, silent.bootstrap, await refusedAddress()], { timeout: EXIT_WITHIN_MS });
  assert.deepEqual(JSON.parse(stdout), { waiting: 'SLUICE_ERR_CLOSED', negotiating: 'SLUICE_ERR_CLOSED', backingOff: 'SLUICE_ERR_CLOSED' });
  assert.equal(silent.connections(), 1, 'the negotiation had begun');
});
