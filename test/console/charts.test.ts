// The charts page draws the stats history: with points made at once on the
// history's fake clock (records produced, a group lagging behind them), each
// of its three charts is drawn with its series' colour on the canvas, and the
// overview shows the latest rates instead of "no history yet".

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { STATS_INTERVAL_MS } from '../../src/broker/stats-history.js';
import { defer } from '../helpers/broker-process.js';
import { openConsole } from '../helpers/console-browser.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';

/** The series colours of console/src/pages/charts.ts, as canvas pixels: in (records, KiB) and group lag. */
const IN_RGB = [0x2a, 0x7a, 0xe2];
const LAG_RGB = [0xb0, 0x30, 0x60];

describe('web console charts', skipUnless(chromium), () => {
  test('the charts are drawn from history points, and the overview shows the latest rates', async (t) => {
    const clock = new FakeClock();
    const api = await startHttpApiBroker(t, { statsClock: clock });
    const client = await connect({ bootstrap: api.broker.bootstrap });
    defer(t, () => client.close());
    await client.admin().createTopic('metered', { partitions: 1 });
    await client.producer().sendBatch('metered', Array.from({ length: 50 }, (_, i) => ({ value: `m${i}` })));
    await client.admin().commitOffsets('lagging', [{ topic: 'metered', partition: 0, offset: 0 }]);
    // Two points: 50 records over the first interval, none over the second; a lag of 50 at both.
    clock.advance(STATS_INTERVAL_MS);
    clock.advance(STATS_INTERVAL_MS);
    const history = (await api.call('GET', '/stats/history')).json;
    assert.deepEqual(
      history.points.map((p: { recordsInPerSec: number; groupLag: number }) => [p.recordsInPerSec, p.groupLag]),
      [
        [50 / (STATS_INTERVAL_MS / 1000), 50],
        [0, 50],
      ],
    );

    const browser = await openConsole(t, api.base);
    await browser.visit('/charts');
    await browser.page.waitForSelector('#charts .chart canvas');
    const drawn = await browser.page.$$eval(
      '#charts .chart',
      (charts, colours) =>
        charts.map((chart) => {
          const title = chart.querySelector('.u-title')?.textContent ?? '';
          const canvas = chart.querySelector('canvas') as HTMLCanvasElement;
          const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          const count = (rgb: number[]) => {
            let n = 0;
            for (let i = 0; i < pixels.length; i += 4) if (pixels[i] === rgb[0] && pixels[i + 1] === rgb[1] && pixels[i + 2] === rgb[2]) n++;
            return n;
          };
          return { title, inPixels: count(colours[0]), lagPixels: count(colours[1]) };
        }),
      [IN_RGB, LAG_RGB],
    );
    await browser.screenshot('charts-with-history');
    assert.deepEqual(drawn.map((c) => c.title), ['Records per second', 'KiB per second', 'Group lag (offsets)']);
    assert.ok(drawn[0].inPixels > 0, 'the records-in line is drawn');
    assert.ok(drawn[1].inPixels > 0, 'the KiB-in line is drawn');
    assert.ok(drawn[2].lagPixels > 0, 'the lag line is drawn');

    await browser.visit('/');
    await browser.page.waitForSelector('#totals');
    const overview = await browser.page.innerText('#view');
    assert.doesNotMatch(overview, /no history yet/);
    assert.match(overview, /Group lag\s*50/i);
    assert.deepEqual(browser.errors, []);
  });
});
