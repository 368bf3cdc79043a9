// Where the CLI looks for the broker's HTTP API: --http as given, else port
// 8080 (sluice serve's default) on the first bootstrap host.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpBase } from '../../src/cli/http-api.js';

test('the HTTP API address defaults to port 8080 on the first bootstrap host', () => {
  assert.equal(httpBase({ bootstrap: 'broker-a:9093,broker-b:9092' }), 'http://broker-a:8080');
  assert.equal(httpBase({ bootstrap: '[::1]:9092' }), 'http://[::1]:8080');
  assert.equal(httpBase({ bootstrap: '::1:9092' }), 'http://[::1]:8080');
});

test('--http is taken as given, without a trailing slash', () => {
  assert.equal(httpBase({ bootstrap: 'broker-a:9093', http: 'https://admin.example:8443/' }), 'https://admin.example:8443');
});
