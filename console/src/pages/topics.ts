// Topics: every name loaded once, filtered by substring as typed and shown a
// page of rows at a time, so a broker with thousands of topics stays quick.

import type { TopicSummary } from '../api-types.js';
import { type Api, topicPath } from '../api.js';
import { formatBytes, formatNumber, h, link, replaceChildren, table } from '../dom.js';
import { errorBox, type Page } from '../page.js';
import { allTopics } from '../topic-catalog.js';

const ROWS_PER_PAGE = 100;

export const topicsPage: Page = async (view, { api, config }) => {
  const filter = h('input', { type: 'search', id: 'topic-filter', placeholder: 'filter by name' });
  const internal = h('input', { type: 'checkbox', id: 'topic-internal' });
  const list = h('div', {});
  replaceChildren(
    view,
    h('h1', {}, 'Topics'),
    h('div', { class: 'toolbar' }, filter, h('label', {}, internal, ' internal topics'), config.writes ? createTopicForm(api) : null),
    list,
  );
  let topics: TopicSummary[] = [];
  let page = 0;
  const render = (): void => {
    const needle = filter.value.trim();
    const matching = needle === '' ? topics : topics.filter((t) => t.name.includes(needle));
    const pages = Math.max(1, Math.ceil(matching.length / ROWS_PER_PAGE));
    page = Math.min(page, pages - 1);
    const rows = matching.slice(page * ROWS_PER_PAGE, (page + 1) * ROWS_PER_PAGE);
    replaceChildren(
      list,
      h('p', { class: 'muted', id: 'topic-count' }, `${formatNumber(matching.length)} of ${formatNumber(topics.length)} topics`),
      table(
        ['name', 'partitions', 'records', 'size'],
        rows.map((t) => [link(topicPath(t.name), t.name), t.partitions, formatNumber(t.records), formatBytes(t.sizeBytes)]),
        { id: 'topic-list' },
      ),
      pages > 1
        ? h(
            'div',
            { class: 'pager' },
            h('button', { disabled: page === 0, onclick: () => ((page -= 1), render()) }, '‹ previous'),
            ` page ${page + 1} of ${pages} `,
            h('button', { disabled: page === pages - 1, onclick: () => ((page += 1), render()) }, 'next ›'),
          )
        : null,
    );
  };
  const load = async (): Promise<void> => {
    try {
      topics = await allTopics(api, internal.checked);
      render();
    } catch (err) {
      replaceChildren(list, errorBox(err));
    }
  };
  filter.addEventListener('input', () => ((page = 0), render()));
  internal.addEventListener('change', () => void load());
  await load();
};

function createTopicForm(api: Api): HTMLElement {
  const name = h('input', { name: 'name', placeholder: 'new topic', required: true });
  const partitions = h('input', { name: 'partitions', type: 'number', min: 1, placeholder: 'partitions' });
  const status = h('span', {});
  const form = h('form', { class: 'inline', 'data-write': true }, name, partitions, h('button', { type: 'submit' }, 'Create topic'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.send('POST', '/topics', { name: name.value, ...(partitions.value ? { partitions: Number(partitions.value) } : {}) });
      location.hash = `#${topicPath(name.value)}`;
    } catch (err) {
      replaceChildren(status, errorBox(err));
    }
  });
  return form;
}
