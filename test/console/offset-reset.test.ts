// The console's offset reset in headless Chromium: the group page opens the
// reset form with its dry run already shown (nothing changed yet), and Apply
// moves the group's committed offsets as the dry run said, which kafkajs then
// reads back.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { defer } from '../helpers/broker-process.js';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

const { Kafka, logLevel } = kafkajs;

describe('offset reset', skipUnless(chromium), () => {
  test('the dry run is shown first and changes nothing; Apply commits what it showed', async (t) => {
    const api = await startHttpApiBroker(t, { httpWrites: true });
    const kafka = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    defer(t, () => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 2 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'payments', messages: Array.from({ length: 10 }, (_, i) => ({ value: `p${i}`, partition: i % 2 })) });
    await producer.disconnect();
    // A group with offsets and no member, as after its consumers stopped.
    await admin.setOffsets({ groupId: 'ledger', topic: 'payments', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '4' }] });
    const committed = async () => (await admin.fetchOffsets({ groupId: 'ledger', topics: ['payments'] }))[0].partitions.map((p) => [p.partition, p.offset]).sort();

    const browser = await openConsole(t, api.base);
    await browser.visit('/groups/ledger');
    await browser.page.waitForSelector('#reset-plan table');
    assert.match(await browser.page.innerText('#reset-plan'), /Dry run: nothing changed yet/);
    const plan = await browser.page.locator('#reset-plan tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(
      plan.sort(),
      [
        ['payments', '0', '1', '5'],
        ['payments', '1', '4', '5'],
      ],
      'the pre-filled reset: every partition of the first topic to its latest offset',
    );
    assert.deepEqual(await committed(), [[0, '1'], [1, '4']], 'a dry run commits nothing');
    await browser.screenshot('offset-reset-dry-run');

    await browser.page.click('#reset-form button:text("Apply reset")');
    await browser.page.waitForSelector('#total-lag:text-is("0")');
    assert.deepEqual(await committed(), [[0, '5'], [1, '5']]);
    assert.deepEqual(browser.errors, []);
  });
});
