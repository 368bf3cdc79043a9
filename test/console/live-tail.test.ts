// The console's live tail in headless Chromium shows a record kcat produced
// within a second of kcat's delivery report, on whichever partition it lands.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { KCAT, chromium, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

describe('live tail', skipUnless(chromium, kcat), () => {
  test('shows a record produced by kcat within a second', async (t) => {
    const api = await startHttpApiBroker(t, { httpWrites: true });
    assert.equal((await api.call('POST', '/topics', { name: 'clicks', partitions: 3 })).status, 201);
    // Records already there before the tail opens are not shown: it starts at the high watermark.
    assert.equal((await api.call('POST', '/topics/clicks/records', { key: 'old', value: 'before the tail' })).status, 200);
    const browser = await openConsole(t, api.base);
    await browser.visit('/tail/topics/clicks');
    await browser.page.waitForSelector('#tail-status:text("waiting for records")');

    const value = `clicked-${process.pid}-${Date.now()}`;
    await runOk(KCAT, ['-P', '-b', api.broker.bootstrap, '-t', 'clicks', '-p', '2', '-K:', '-X', 'acks=all'], { input: `user-7:${value}\n` });
    const delivered = performance.now();
    await browser.page.waitForSelector(`#tail-records pre:text-is("${value}")`, { timeout: 1000 });
    const shownAfterMs = performance.now() - delivered;
    t.diagnostic(`shown ${shownAfterMs.toFixed(0)} ms after kcat's delivery`);

    const rows = await browser.page.locator('#tail-records tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.equal(rows.length, 1, 'only the record produced after the tail opened');
    assert.deepEqual([rows[0][0], rows[0][1], rows[0][3], rows[0][4]], ['2', '0', 'user-7', value]);
    await browser.screenshot('tail-kcat');
    assert.deepEqual(browser.errors, []);
  });
});
