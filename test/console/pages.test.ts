// Every page of the web console loads in headless Chromium against a broker
// holding a topic with records, a consumer group and a queue, shows what it is
// for, and logs no console error; a screenshot of each is kept under
// test-artifacts/console/.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { connect } from '../../src/client/index.js';
import { defer } from '../helpers/broker-process.js';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

const { Kafka, logLevel } = kafkajs;

describe('web console pages', skipUnless(chromium), () => {
  test('every page loads, shows its figures and logs no console error', async (t) => {
    const api = await startHttpApiBroker(t, { httpWrites: true });
    assert.equal((await api.call('POST', '/topics', { name: 'orders', partitions: 2 })).status, 201);
    const posted = await api.call('POST', '/topics/orders/records', { records: [{ key: 'k1', value: 'first order', headers: { source: 'web' } }, { key: 'k2', value: { total: 12 } }] });
    assert.equal(posted.status, 200, posted.text);
    const client = await connect({ bootstrap: api.broker.bootstrap });
    defer(t, () => client.close());
    await client.admin().createTopic('jobs', { partitions: 1 });
    await client.producer().sendBatch('jobs', ['a', 'b', 'c'].map((value) => ({ value })));
    for await (const msg of client.queue('jobs', { group: 'workers', from: 'earliest', prefetch: 1, valueFormat: 'string' })) {
      msg.ack();
      break;
    }
    const admin = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    defer(t, () => admin.disconnect());
    await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '0' }, { partition: 1, offset: '0' }] });
    const browser = await openConsole(t, api.base);

    // [route, screenshot name, a selector that shows the page has its data, text it must hold]
    const pages: [string, string, string, RegExp][] = [
      ['/', 'overview', '#totals', /Brokers\s*1[\s\S]*Under-replicated\s*0\s*0 offline[\s\S]*Topics\s*2/i],
      ['/topics', 'topics', '#topic-list', /orders/],
      ['/topics/orders', 'topic', '#partitions', /high watermark/],
      ['/browse/topics/orders', 'browse', '#browse-form', /scan at most/],
      ['/tail/topics/orders', 'tail', '#tail-status:text("tailing")', /tailing/],
      ['/produce/topics/orders', 'produce', '#produce-form', /headers/],
      ['/groups', 'groups', '#group-list', /billing[\s\S]*workers/],
      ['/groups/billing', 'group', '#lag', /Lag 2 offsets/],
      ['/queues', 'queues', '#queue-list', /workers/],
      ['/queues/workers', 'queue', '#queue-partitions', /jobs/],
      // The history has its first point 10 s after the start: charts then, "no history yet" before.
      ['/charts', 'charts', '#charts .chart, #no-history', /Last hour/],
    ];
    for (const [route, name, ready, text] of pages) {
      await browser.visit(route);
      await browser.page.waitForSelector(ready);
      assert.match(await browser.page.innerText('#view'), text, route);
      await browser.screenshot(name);
      assert.deepEqual(browser.errors, [], `console errors on ${route}`);
    }
  });
});
