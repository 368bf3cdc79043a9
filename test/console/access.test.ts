// What the console shows depends on what the broker allows: on a read-only
// broker (no --http-writes) no page has a write control, where the same pages
// of a broker that allows writes have them; on a broker with a token the
// console asks for it once, refuses a wrong one, and then reads with it; with
// --http-auth basic the browser's login is the console's, live tail included.

import assert from 'node:assert/strict';
import { type TestContext, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { defer } from '../helpers/broker-process.js';
import { type ConsoleBrowser, openConsole } from '../helpers/console-browser.js';
import { type HttpApiBroker, startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, openssl, skipUnless } from '../helpers/interop-tools.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { freePort } from '../helpers/free-port.js';

const { Kafka, logLevel } = kafkajs;

/** Pages with write controls where writes are allowed, and the element that shows each has loaded. */
const PAGES: [route: string, ready: string][] = [
  ['/topics', '#topic-list'],
  ['/topics/stock', '#partitions'],
  ['/produce/topics/stock', '#produce-form, #read-only-note'],
  ['/groups/pickers', '#lag'],
  ['/queues', '#queue-list, #no-queues'],
];

/** A topic, and a group with an offset committed on it by kafkajs. */
async function withData(t: TestContext, api: HttpApiBroker): Promise<void> {
  await api.broker.broker.createTopic('stock', 1, {});
  const admin = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.setOffsets({ groupId: 'pickers', topic: 'stock', partitions: [{ partition: 0, offset: '0' }] });
}

async function writeControls(browser: ConsoleBrowser): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const [route, ready] of PAGES) {
    await browser.visit(route);
    await browser.page.waitForSelector(ready);
    found[route] = await browser.page.locator('[data-write]').count();
  }
  return found;
}

describe('console access', skipUnless(chromium), () => {
  test('a read-only broker shows no write control; one that allows writes does', async (t) => {
    const readOnly = await startHttpApiBroker(t);
    const writable = await startHttpApiBroker(t, { httpWrites: true });
    for (const api of [readOnly, writable]) await withData(t, api);

    const ro = await openConsole(t, readOnly.base);
    const roControls = await writeControls(ro);
    assert.deepEqual(roControls, Object.fromEntries(PAGES.map(([route]) => [route, 0])));
    await ro.visit('/produce/topics/stock');
    await ro.page.waitForSelector('#read-only-note');
    assert.equal(await ro.page.locator('form, button[type=submit]').count(), 0, 'no form on the produce page');
    assert.equal(await ro.page.innerText('#mode'), 'read-only');
    await ro.screenshot('read-only-produce');
    assert.deepEqual(ro.errors, []);

    const rw = await openConsole(t, writable.base);
    const rwControls = await writeControls(rw);
    assert.ok(rwControls['/topics'] >= 1 && rwControls['/topics/stock'] >= 1 && rwControls['/produce/topics/stock'] >= 1, JSON.stringify(rwControls));
    assert.deepEqual(rw.errors, []);
  });
});

describe('console token', skipUnless(chromium), () => {
  test('with --http-token the console asks for the token once, refuses a wrong one, then reads with it', async (t) => {
    const api = await startHttpApiBroker(t, { httpToken: 'open-sesame' });
    await api.broker.broker.createTopic('vault', 1, {});
    const browser = await openConsole(t, api.base);
    await browser.visit('/topics');
    await browser.page.fill('#token-form input[name=token]', 'guess');
    await browser.page.click('#token-form button[type=submit]');
    await browser.page.waitForSelector('text=refused that token');
    await browser.page.fill('#token-form input[name=token]', 'open-sesame');
    await browser.page.click('#token-form button[type=submit]');
    await browser.page.waitForSelector('#topic-list');
    assert.match(await browser.page.innerText('#topic-list'), /vault/);

    await browser.page.reload();
    await browser.page.waitForSelector('#topic-list');
    assert.equal(await browser.page.locator('#token-form').count(), 0, 'asked once: the token is kept for the session');
    await browser.screenshot('token-topics');
    // Chromium logs the one refused probe of the wrong token as a failed load; nothing else failed.
    assert.deepEqual(browser.errors, ['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
  });
});

describe('console basic auth', skipUnless(chromium), () => {
  test('with --http-auth basic the browser logs in (the page itself asks it to); the console then reads and names the user', skipUnless(openssl), async (t) => {
    const { broker } = await startSaslBroker(t, { httpPort: await freePort(), httpAuth: 'basic' });
    await broker.broker.createTopic('ledger', 1, {});
    const base = `http://127.0.0.1:${broker.httpPort}`;

    const browser = await openConsole(t, base, { username: USER, password: PASSWORD });
    await browser.visit('/topics');
    await browser.page.waitForSelector('#topic-list');
    assert.match(await browser.page.innerText('#topic-list'), /ledger/);
    assert.equal(await browser.page.innerText('#nav .principal'), USER);
    await browser.screenshot('basic-auth-topics');
    assert.deepEqual(browser.errors, []);
  });
});
