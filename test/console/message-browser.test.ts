// The console's message browser in headless Chromium: it finds the one record
// among thousands that carries a header, scanning back from the newest in
// bounded pages with its progress shown; it reads from an offset or a time
// up to the high watermark; it says at once that an empty partition is empty;
// and it stops at the bound it is given.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConsoleBrowser, openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

const RECORDS = 3000;
const NEEDLE_AT = 1234;
/** Record i is stamped T0 + i seconds. */
const T0 = Date.UTC(2026, 0, 1);

async function search(browser: ConsoleBrowser, fields: Record<string, string>, from: string): Promise<string> {
  const form = browser.page.locator('#browse-form');
  await form.locator('select[name=from]').selectOption(from);
  for (const [name, value] of Object.entries(fields)) {
    const control = form.locator(`[name=${name}]`);
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
    else await control.fill(value);
  }
  await form.locator('button[type=submit]').click();
  // The progress line reads "done: …" or "the partition is empty" once the scan has ended.
  await browser.page.waitForSelector('#scan-progress:text-matches("^(done|the partition is empty)")');
  return browser.page.innerText('#scan-progress');
}

describe('message browser', skipUnless(chromium), () => {
  test('finds a record by header among thousands, reads from an offset or a time to the high watermark, says an empty partition is empty, and stops at its bound', async (t) => {
    const api = await startHttpApiBroker(t, { httpWrites: true });
    assert.equal((await api.call('POST', '/topics', { name: 'events', partitions: 2 })).status, 201);
    const records = Array.from({ length: RECORDS }, (_, i) => ({
      partition: 0,
      key: `k${i}`,
      value: `event ${i}`,
      timestamp: T0 + i * 1000,
      headers: i === NEEDLE_AT ? { trace: 'needle-42', source: 'test' } : { trace: `hay-${i}`, source: 'test' },
    }));
    const posted = await api.call('POST', '/topics/events/records', { records });
    assert.equal(posted.status, 200, posted.text);

    const browser = await openConsole(t, api.base);
    await browser.visit('/browse/topics/events');
    await browser.page.waitForSelector('#browse-form');

    const found = await search(browser, { partition: '0', header: 'trace=needle-42', maxScanned: '10000', maxResults: '50' }, 'newest');
    assert.match(found, /^done: 3,000 offsets scanned, 1 found; ended at log start$/);
    const offsets = await browser.page.locator('#browse-records tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-offset')));
    assert.deepEqual(offsets, [String(NEEDLE_AT)]);
    assert.match(await browser.page.innerText('#browse-records tbody'), /event 1234[\s\S]*trace=needle-42/);
    await browser.screenshot('browse-found-by-header');

    const offsetsIn = () => browser.page.locator('#browse-records tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-offset'))));
    const fromOffset = await search(browser, { partition: '0', header: '', offset: '2990', maxResults: '50' }, 'offset');
    assert.match(fromOffset, /^done: 10 offsets scanned, 10 found; ended at high watermark$/);
    assert.deepEqual(await offsetsIn(), [2990, 2991, 2992, 2993, 2994, 2995, 2996, 2997, 2998, 2999]);
    const fromTime = await search(browser, { time: new Date(T0 + 2996 * 1000).toISOString().slice(0, 19) }, 'time');
    assert.match(fromTime, /^done: 4 offsets scanned, 4 found; ended at high watermark$/);
    assert.deepEqual(await offsetsIn(), [2996, 2997, 2998, 2999]);

    const empty = await search(browser, { partition: '1', header: '' }, 'oldest');
    assert.equal(empty, 'the partition is empty');

    const bounded = await search(browser, { partition: '0', header: 'trace=nowhere', maxScanned: '600' }, 'oldest');
    assert.match(bounded, /^done: 600 offsets scanned, 0 found; ended at the scan bound$/);
    assert.deepEqual(browser.errors, []);
  });
});
