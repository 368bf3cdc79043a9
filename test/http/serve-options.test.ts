// Where the HTTP API is on: `sluice serve` offers it on --http-port (default
// 8080; 0 turns it off), also set from the JSON config file, with
// --http-writes and --http-token; an embedded broker has none unless asked.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { httpCall } from '../helpers/http-api.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';

test('an embedded broker serves no HTTP API unless given httpPort', async (t) => {
  const broker = await startInProcessBroker(t);
  assert.equal(broker.httpPort, null);
  assert.equal(broker.config.httpPort, 0);
});

test('sluice serve --help lists the HTTP options, 8080 as the default port', async () => {
  const help = await runCli(['serve', '--help']);
  assert.match(help.stdout, /--http-port <n> +HTTP API port on --host \(default 8080; 0: off\) \[env\s+SLUICE_HTTP_PORT\]/);
  assert.match(help.stdout, /--http-writes <bool>/);
  assert.match(help.stdout, /--http-token <token>/);
  assert.match(help.stdout, /--http-auth <scheme> +none, or basic/);
});

test('sluice serve with --http-port 0 has no HTTP API; with a port, the config file gives it writes and a token', async (t) => {
  const off = await spawnBroker(t, { dataDir: await makeDataDir(t) });
  assert.equal(off.httpPort, null);
  await off.stop();

  const dataDir = await makeDataDir(t);
  const port = await freePort();
  const file = path.join(dataDir, 'sluice.json');
  await fs.writeFile(file, JSON.stringify({ httpWrites: true, httpToken: 'from-file' }));
  const on = await spawnBroker(t, { dataDir, args: ['--config', file, '--http-port', String(port)] });
  assert.equal(on.httpPort, port);
  const base = `http://127.0.0.1:${port}`;
  assert.equal((await httpCall(base, 'POST', '/topics', { name: 'x' })).status, 401);
  const created = await httpCall(base, 'POST', '/topics', { name: 'x' }, { authorization: 'Bearer from-file' });
  assert.equal(created.status, 201, created.text);
});
