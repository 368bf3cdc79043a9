// The console's queue page in headless Chromium: a Sluice queue rejects two
// messages into the group's dead-letter topic, the page's redrive moves them
// back to their topic and says how many it moved.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { defer } from '../helpers/broker-process.js';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

describe('queue redrive', skipUnless(chromium), () => {
  test('the redrive form sends the dead letters back to their topic and says how many it moved', async (t) => {
    const api = await startHttpApiBroker(t, { httpWrites: true });
    const client = await connect({ bootstrap: api.broker.bootstrap });
    defer(t, () => client.close());
    await client.admin().createTopic('invoices', { partitions: 1 });
    await client.admin().alterConfigs({ type: 'group', name: 'billing' }, { set: { 'errors.deadletterqueue.topic.name': 'invoices.dlq' } });
    await client.producer().sendBatch('invoices', ['i1', 'i2'].map((value) => ({ value })));
    const queue = client.queue('invoices', { group: 'billing', from: 'earliest', valueFormat: 'string' });
    let rejected = 0;
    for await (const msg of queue) {
      msg.reject('not billable');
      if (++rejected === 2) break;
    }
    await queue.close();
    const lines = async (path: string) => (await api.call('GET', path)).text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    // The copies to the dead-letter topic are made after the archive is decided; wait for both.
    while ((await lines('/topics/invoices.dlq/records')).length < 2) await new Promise((resolve) => setImmediate(resolve));

    const browser = await openConsole(t, api.base);
    await browser.visit('/queues/billing');
    await browser.page.click('#redrive-form button[type=submit]');
    await browser.page.waitForSelector('#queue-notice');
    assert.equal(await browser.page.innerText('#queue-notice'), 'Redrove 2 dead letters.');
    await browser.screenshot('queue-redrive');
    assert.deepEqual(
      (await lines('/topics/invoices/records?offset=2')).map((r) => r.value),
      ['i1', 'i2'],
      'both back on their topic after the originals',
    );
    assert.deepEqual(browser.errors, []);
  });
});
