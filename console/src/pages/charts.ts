// Charts of the last hour (GET /stats/history, a point every 10 s): records
// and KiB per second in and out, and the lag of all groups together.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { History } from '../api-types.js';
import { h, replaceChildren } from '../dom.js';
import { loadHistory } from '../history.js';
import { errorBox, every, type Page } from '../page.js';

const REFRESH_MS = 10_000;
/** Room for the y axis's labels (uPlot's default cuts off six-digit figures). */
const Y_AXIS_PX = 70;

const CHARTS: { title: string; series: [label: string, pick: (p: History['points'][number]) => number, stroke: string][] }[] = [
  { title: 'Records per second', series: [['in', (p) => p.recordsInPerSec, '#2a7ae2'], ['out', (p) => p.recordsOutPerSec, '#e2742a']] },
  { title: 'KiB per second', series: [['in', (p) => p.bytesInPerSec / 1024, '#2a7ae2'], ['out', (p) => p.bytesOutPerSec / 1024, '#e2742a']] },
  { title: 'Group lag (offsets)', series: [['lag', (p) => p.groupLag, '#b03060']] },
];

export const chartsPage: Page = async (view, { api, config, signal }) => {
  const body = h('div', { id: 'charts' });
  replaceChildren(view, h('h1', {}, 'Last hour'), body);
  let plots: uPlot[] = [];
  signal.addEventListener('abort', () => plots.forEach((p) => p.destroy()));
  every(REFRESH_MS, signal, async () => {
    try {
      const history = await loadHistory(api, config);
      if (signal.aborted) return;
      plots.forEach((p) => p.destroy());
      plots = [];
      if (history === null) {
        replaceChildren(body, h('p', { class: 'muted', id: 'no-history' }, 'no history yet'));
        return;
      }
      replaceChildren(body);
      const times = history.points.map((p) => p.t / 1000);
      const width = Math.max(320, Math.min(1000, view.clientWidth || 800));
      for (const chart of CHARTS) {
        const holder = h('div', { class: 'chart' });
        body.append(holder);
        plots.push(
          new uPlot(
            { title: chart.title, width, height: 220, axes: [{}, { size: Y_AXIS_PX }], series: [{}, ...chart.series.map(([label, , stroke]) => ({ label, stroke, width: 2 }))] },
            [times, ...chart.series.map(([, pick]) => history.points.map(pick))],
            holder,
          ),
        );
      }
    } catch (err) {
      replaceChildren(body, errorBox(err));
    }
  });
};
