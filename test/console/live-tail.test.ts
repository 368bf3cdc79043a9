// The console's live tail in headless Chromium shows a record kcat produced
// within a second of kcat's delivery report, on whichever partition it lands:
// pushed as Server-Sent Events, and polled when the broker wants a token
// (which EventSource cannot send).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { KCAT, chromium, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

const TOKEN = 'tail-token';

describe('live tail', skipUnless(chromium, kcat), () => {
  for (const mode of ['streamed', 'polled with a token'] as const) {
    test(`shows a record produced by kcat within a second (${mode})`, async (t) => {
      const token = mode === 'streamed' ? undefined : TOKEN;
      const api = await startHttpApiBroker(t, { httpWrites: true, httpToken: token });
      const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
      assert.equal((await api.call('POST', '/topics', { name: 'clicks', partitions: 3 }, headers)).status, 201);
      // Records already there before the tail opens are not shown: it starts at the high watermark.
      assert.equal((await api.call('POST', '/topics/clicks/records', { key: 'old', value: 'before the tail' }, headers)).status, 200);
      const browser = await openConsole(t, api.base);
      await browser.visit('/tail/topics/clicks');
      if (token !== undefined) {
        await browser.page.fill('#token-form input[name=token]', token);
        await browser.page.click('#token-form button[type=submit]');
      }
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
      await browser.screenshot(`tail-kcat-${token === undefined ? 'stream' : 'poll'}`);
      assert.deepEqual(browser.errors, []);
    });
  }
});
