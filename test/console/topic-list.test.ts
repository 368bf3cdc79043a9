// The console's topic list with 2,000 topics in headless Chromium: it shows
// them 100 rows a page, filters all of them by name as typed, and pages on.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

const TOPICS = 2000;

describe('topic list', skipUnless(chromium), () => {
  test('shows 2,000 topics a page at a time and filters them all by name', async (t) => {
    const api = await startHttpApiBroker(t);
    const names = Array.from({ length: TOPICS }, (_, i) => `t-${String(i).padStart(4, '0')}`);
    for (const name of names) await api.broker.broker.createTopic(name, 1, {});
    const browser = await openConsole(t, api.base);
    await browser.visit('/topics');
    await browser.page.waitForSelector('#topic-list');
    const shown = () => browser.page.locator('#topic-list tbody tr td:first-child').allInnerTexts();
    assert.equal(await browser.page.innerText('#topic-count'), '2,000 of 2,000 topics');
    assert.deepEqual(await shown(), names.slice(0, 100));
    await browser.page.click('text=next ›');
    assert.deepEqual(await shown(), names.slice(100, 200));

    // t-19xx: the last 100 names, found beyond the pages loaded on screen.
    await browser.page.fill('#topic-filter', 't-19');
    await browser.page.waitForSelector('#topic-count:text("100 of 2,000 topics")');
    assert.deepEqual(await shown(), names.slice(1900));
    await browser.screenshot('topics-filtered');
    assert.deepEqual(browser.errors, []);
  });
});
