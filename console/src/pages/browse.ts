// The message browser: one partition from the newest, the oldest, an offset
// or a time, filtered on key, value and headers, with the scan's progress shown
// as it goes and a bound on the offsets it reads.

import type { TopicDetail } from '../api-types.js';
import { topicPath } from '../api.js';
import { field, formatNumber, h, link, replaceChildren } from '../dom.js';
import { errorBox, type Page } from '../page.js';
import { recordTable } from '../record-table.js';
import { type ScanStart, scanPartition } from '../record-scan.js';

const DEFAULT_MAX_SCANNED = 10_000;
const MAX_SCANNED = 1_000_000;

export const browsePage: Page = async (view, { api, signal }, name) => {
  replaceChildren(view, h('h1', {}, `Browse ${name}`));
  let topic: TopicDetail;
  try {
    topic = await api.get<TopicDetail>(topicPath(name));
  } catch (err) {
    view.append(errorBox(err));
    return;
  }
  const partition = h('select', { name: 'partition' }, ...topic.partitions.map((p) => h('option', { value: p.partition }, String(p.partition))));
  const from = h('select', { name: 'from' }, ...['newest', 'oldest', 'offset', 'time'].map((m) => h('option', { value: m }, m)));
  const offset = h('input', { name: 'offset', type: 'number', min: 0, value: '0' });
  const time = h('input', { name: 'time', type: 'datetime-local', step: 1 });
  const key = h('input', { name: 'key', placeholder: 'contains' });
  const value = h('input', { name: 'value', placeholder: 'contains' });
  const header = h('input', { name: 'header', placeholder: 'name=value' });
  const maxScanned = h('input', { name: 'maxScanned', type: 'number', min: 1, max: MAX_SCANNED, value: String(DEFAULT_MAX_SCANNED) });
  const maxResults = h('input', { name: 'maxResults', type: 'number', min: 1, max: 10_000, value: '50' });
  const start = h('button', { type: 'submit' }, 'Search');
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  const bar = h('progress', { max: 1, value: 0 });
  const progress = h('span', { id: 'scan-progress' }, '');
  const results = h('div', { id: 'scan-results' });
  const offsetField = field('offset', offset);
  const timeField = field('time', time);
  const showStartFields = (): void => {
    offsetField.hidden = from.value !== 'offset';
    timeField.hidden = from.value !== 'time';
  };
  from.addEventListener('change', showStartFields);
  showStartFields();
  const form = h(
    'form',
    { class: 'grid', id: 'browse-form' },
    field('partition', partition),
    field('from', from),
    offsetField,
    timeField,
    field('key', key),
    field('value', value),
    field('header', header),
    field('scan at most (offsets)', maxScanned),
    field('results at most', maxResults),
    h('div', {}, start, ' ', stop),
  );
  let scan: AbortController | null = null;
  stop.addEventListener('click', () => scan?.abort());
  signal.addEventListener('abort', () => scan?.abort());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    scan = new AbortController();
    start.disabled = true;
    stop.disabled = false;
    progress.textContent = 'scanning…';
    replaceChildren(results);
    try {
      // The bounds are read now, so the scan ends at the high watermark as it is now.
      const detail = await api.get<TopicDetail>(topicPath(name));
      const p = detail.partitions.find((x) => x.partition === Number(partition.value));
      const bounds = { logStartOffset: p?.logStartOffset ?? 0, highWatermark: p?.highWatermark ?? 0 };
      const startAt: ScanStart =
        from.value === 'offset' ? { from: 'offset', offset: Number(offset.value) } : from.value === 'time' ? { from: 'time', time: new Date(time.value).getTime() || 0 } : { from: from.value as 'newest' | 'oldest' };
      const done = await scanPartition(
        api,
        {
          topic: name,
          partition: Number(partition.value),
          start: startAt,
          filter: { key: key.value, value: value.value, header: header.value },
          maxScanned: Math.min(MAX_SCANNED, Math.max(1, Number(maxScanned.value) || DEFAULT_MAX_SCANNED)),
          maxResults: Math.max(1, Number(maxResults.value) || 50),
        },
        bounds,
        (s) => {
          bar.max = Math.max(1, s.total);
          bar.value = s.scanned;
          progress.textContent = `scanning: ${formatNumber(s.scanned)} of ${formatNumber(s.total)} offsets, ${formatNumber(s.matched)} found`;
        },
        scan.signal,
      );
      bar.max = Math.max(1, done.total);
      bar.value = done.total === 0 ? 1 : done.scanned;
      progress.textContent =
        done.ended === 'empty'
          ? 'the partition is empty'
          : `done: ${formatNumber(done.scanned)} offsets scanned, ${formatNumber(done.matched)} found; ended at ${done.ended === 'bound' ? 'the scan bound' : done.ended === 'results' ? 'the results wanted' : done.ended}`;
      replaceChildren(results, done.records.length === 0 ? h('p', { class: 'muted' }, 'no record matches') : recordTable(done.records, 'browse-records'));
    } catch (err) {
      progress.textContent = 'failed';
      replaceChildren(results, errorBox(err));
    } finally {
      start.disabled = false;
      stop.disabled = true;
    }
  });
  replaceChildren(view, h('h1', {}, 'Browse ', link(topicPath(name), name)), form, h('div', { class: 'progress' }, bar, ' ', progress), results);
};
