// The console's group page in headless Chromium shows the lag a real kafkajs
// consumer leaves: it commits offset 4 of a topic's 10 records and reads on
// without committing, so the page shows it as a member with its assignment,
// and 6 offsets of lag on the partition, with the lag in seconds.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { defer } from '../helpers/broker-process.js';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

const { Kafka, logLevel } = kafkajs;

describe('group page', skipUnless(chromium), () => {
  test('shows the lag a kafkajs consumer leaves by committing part of a topic', async (t) => {
    const api = await startHttpApiBroker(t);
    const kafka = new Kafka({ brokers: [api.broker.bootstrap], clientId: 'lag-maker', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    defer(t, () => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'payments', messages: Array.from({ length: 10 }, (_, i) => ({ value: `p${i}` })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'ledger' });
    defer(t, () => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic: 'payments', fromBeginning: true });
    const committed = new Promise<void>((resolve, reject) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (message.offset === '3') await consumer.commitOffsets([{ topic: 'payments', partition: 0, offset: '4' }]).then(resolve, reject);
        },
      });
    });
    await committed;

    const browser = await openConsole(t, api.base);
    await browser.visit('/groups/ledger');
    await browser.page.waitForSelector('#lag');
    assert.equal(await browser.page.innerText('#total-lag'), '6');
    const lagRows = await browser.page.locator('#lag tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.equal(lagRows.length, 1);
    const [topic, partition, committedOffset, logStart, highWatermark, lag, lagSeconds] = lagRows[0];
    assert.deepEqual([topic, partition, committedOffset, logStart, highWatermark, lag], ['payments', '0', '4', '0', '10', '6']);
    assert.match(lagSeconds ?? '', /^\d+\.\d$/, 'the age of the oldest record not consumed');
    assert.match(await browser.page.innerText('#members'), /lag-maker[\s\S]*payments: 0/);
    await browser.screenshot('group-lag');
    assert.deepEqual(browser.errors, []);
    // Before the broker closes: a kafkajs consumer left running would keep reconnecting to it.
    await consumer.disconnect();
  });
});
