// The console's produce form in headless Chromium appends a record with its
// key, value and headers to the partition asked for, and says where it went;
// the HTTP API reads back the same record.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

describe('produce form', skipUnless(chromium), () => {
  test('appends a record with key, value and headers and says where it went', async (t) => {
    const api = await startHttpApiBroker(t, { httpWrites: true });
    await api.broker.broker.createTopic('orders', 2, {});
    const browser = await openConsole(t, api.base);
    await browser.visit('/produce/topics/orders');
    const form = browser.page.locator('#produce-form');
    await form.locator('[name=key]').fill('order-9');
    await form.locator('[name=value]').fill('{"total": 99}');
    await form.locator('[name=headers]').fill('source: console\ntrace: abc=1');
    await form.locator('[name=partition]').fill('1');
    await form.locator('button[type=submit]').click();
    await browser.page.waitForSelector('#produce-result p');
    assert.equal(await browser.page.innerText('#produce-result'), 'written to partition 1 at offset 0');

    const read = await api.call('GET', '/topics/orders/records?partition=1');
    const { timestamp, ...record } = JSON.parse(read.text);
    assert.deepEqual(record, { partition: 1, offset: 0, key: 'order-9', value: '{"total": 99}', headers: { source: 'console', trace: 'abc=1' } });
    assert.ok(Math.abs(Date.now() - timestamp) < 60_000, 'stamped when sent');
    await browser.screenshot('produce-written');
    assert.deepEqual(browser.errors, []);
  });
});
