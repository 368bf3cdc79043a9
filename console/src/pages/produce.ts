// The produce form: one record (key, value, headers, partition) appended with
// POST /topics/{t}/records. Only on a broker that allows writes.

import { topicPath } from '../api.js';
import { field, h, link, replaceChildren } from '../dom.js';
import { errorBox, type Page } from '../page.js';

/** `name: value` lines into a headers object; blank lines are skipped. */
function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon === -1) throw new Error(`header line '${line}' has no ':' (write name: value)`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export const producePage: Page = async (view, { api, config }, name) => {
  const title = h('h1', {}, 'Produce to ', link(topicPath(name), name));
  if (!config.writes) {
    replaceChildren(view, title, h('p', { class: 'muted', id: 'read-only-note' }, 'This broker’s HTTP API is read-only (started without --http-writes).'));
    return;
  }
  const key = h('input', { name: 'key', placeholder: 'none' });
  const value = h('textarea', { name: 'value', rows: 6 });
  const headers = h('textarea', { name: 'headers', rows: 3, placeholder: 'name: value, one per line' });
  const partition = h('input', { name: 'partition', type: 'number', min: 0, placeholder: 'by key, or in turn' });
  const result = h('div', { id: 'produce-result' });
  const form = h(
    'form',
    { class: 'grid', id: 'produce-form', 'data-write': true },
    field('key', key),
    field('value', value),
    field('headers', headers),
    field('partition', partition),
    h('div', {}, h('button', { type: 'submit' }, 'Produce')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const record = {
        key: key.value === '' ? null : key.value,
        value: value.value,
        headers: parseHeaders(headers.value),
        ...(partition.value === '' ? {} : { partition: Number(partition.value) }),
      };
      const answer = await api.send<{ records: { partition: number; offset: number }[] }>('POST', `${topicPath(name)}/records`, record);
      const [placed] = answer.records;
      replaceChildren(result, h('p', { class: 'ok' }, `written to partition ${placed.partition} at offset ${placed.offset}`));
    } catch (err) {
      replaceChildren(result, errorBox(err));
    }
  });
  replaceChildren(view, title, form, result);
};
