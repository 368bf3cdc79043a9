// Records as the browser and the live tail show them: one row each, bytes that
// are not UTF-8 marked as base64, headers as name=value.

import type { RecordLine } from './api.js';
import { formatTime, h, table } from './dom.js';

function text(value: string | null, encoding: 'base64' | undefined): HTMLElement | string {
  if (value === null) return h('span', { class: 'muted' }, 'null');
  return encoding === 'base64' ? h('span', { title: 'not UTF-8; shown as base64' }, h('em', {}, 'base64 '), value) : value;
}

export function recordRow(r: RecordLine): HTMLTableRowElement {
  const headers = Object.entries(r.headers).map(([n, v]) => `${n}=${v ?? ''}`);
  return h(
    'tr',
    { 'data-offset': r.offset },
    ...[r.partition, r.offset, formatTime(r.timestamp), text(r.key, r.keyEncoding), h('pre', {}, text(r.value, r.valueEncoding)), headers.join('\n')].map((c) => h('td', {}, c)),
  );
}

export function recordTable(records: RecordLine[], id: string): HTMLTableElement {
  const t = table(['partition', 'offset', 'timestamp', 'key', 'value', 'headers'], [], { id, class: 'records' });
  t.tBodies[0].append(...records.map(recordRow));
  return t;
}
