// The overview shows the partitions short of replicas when the cluster has
// some: broker 1 of a control plane shared in this process leads `mirrored`,
// whose ISR lost broker 2, and sees `stranded` placed on broker 3, which is not
// live. The page lists both (and /metrics counts them: broker 1 leads one and
// is the controller).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openConsole } from '../helpers/console-browser.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { chromium, skipUnless } from '../helpers/interop-tools.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { SharedControlPlane } from '../helpers/shared-control-plane.js';

describe('web console replication', skipUnless(chromium), () => {
  test('the overview lists under-replicated and offline partitions', async (t) => {
    const plane = new SharedControlPlane();
    const api = await startHttpApiBroker(t, { nodeId: 1, controlPlane: plane.join });
    plane.registerByHand(2);
    await plane.createTopic('mirrored', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
    await plane.createTopic('stranded', 1, {}, { replicationFactor: 1, assignments: [[3]] });
    plane.update('mirrored', 0, { isr: [1] });

    const metrics = await scrapeMetrics(api);
    assert.equal(metrics.value('sluice_under_replicated_partitions'), 1);
    assert.equal(metrics.value('sluice_offline_partitions'), 1);

    const browser = await openConsole(t, api.base);
    await browser.visit('/');
    await browser.page.waitForSelector('#replication');
    const rows = await browser.page.$$eval('#replication tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['stranded-0', 'offline', '3', '3', '3'],
      ['mirrored-0', 'under-replicated', '1', '1, 2', '1'],
    ]);
    assert.match(await browser.page.innerText('#view'), /Brokers\s*2[\s\S]*Under-replicated\s*1\s*1 offline/i);
    await browser.screenshot('overview-replication');
    assert.deepEqual(browser.errors, []);
  });
});
