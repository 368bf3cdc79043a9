// Queues (share groups): every queue's totals; one queue's figures per
// partition, with the dead-letter redrive on a broker that allows writes and
// serves it.

import type { Queue, QueueFigures } from '../api-types.js';
import { queuePath, topicPath } from '../api.js';
import { append, field, formatNumber, h, link, replaceChildren, table } from '../dom.js';
import { errorBox, type Page, type PageContext } from '../page.js';

const FIGURE_HEADERS = ['ready', 'delayed', 'in flight', 'oldest ready (s)', 'acknowledged', 'archived', 'dead-lettered', 'redeliveries'];

function figureCells(f: QueueFigures): string[] {
  return [f.ready, f.delayed, f.inFlight].map(formatNumber).concat(
    f.oldestReadyAgeMs === null ? '–' : (f.oldestReadyAgeMs / 1000).toFixed(1),
    ...[f.acknowledged, f.archived, f.deadLettered, f.redeliveries].map(formatNumber),
  );
}

export const queuesPage: Page = async (view, { api }) => {
  replaceChildren(view, h('h1', {}, 'Queues'));
  try {
    const { queues } = await api.get<{ queues: Queue[] }>('/queues');
    view.append(
      queues.length === 0
        ? h('p', { class: 'muted', id: 'no-queues' }, 'no queues (share groups)')
        : table(['queue', ...FIGURE_HEADERS], queues.map((q) => [link(queuePath(q.groupId), q.groupId), ...figureCells(q.totals)]), { id: 'queue-list' }),
    );
  } catch (err) {
    view.append(errorBox(err));
  }
};

export const queuePage: Page = (view, ctx, groupId) => renderQueue(view, ctx, groupId, null);

/** `notice`: what the last action did, shown above the figures it changed. */
async function renderQueue(view: HTMLElement, ctx: PageContext, groupId: string, notice: string | null): Promise<void> {
  const { api, config } = ctx;
  replaceChildren(view, h('h1', {}, `Queue ${groupId}`));
  try {
    const queue = await api.get<Queue>(queuePath(groupId));
    append(
      view,
      notice === null ? null : h('p', { class: 'ok', id: 'queue-notice' }, notice),
      table(['', ...FIGURE_HEADERS], [['total', ...figureCells(queue.totals)]], { id: 'queue-totals' }),
      h('h2', {}, 'Partitions'),
      table(
        ['topic', 'partition', 'window', ...FIGURE_HEADERS],
        queue.partitions.map((p) => [link(topicPath(p.topic), p.topic), p.partition, `${p.startOffset}–${p.endOffset}`, ...figureCells(p)]),
        { id: 'queue-partitions' },
      ),
      config.writes && config.routes.redrive ? redriveForm(ctx, groupId, (moved) => void renderQueue(view, ctx, groupId, `Redrove ${formatNumber(moved)} dead letters.`)) : null,
    );
  } catch (err) {
    view.append(errorBox(err));
  }
}

function redriveForm({ api }: PageContext, groupId: string, onMoved: (moved: number) => void): HTMLElement {
  const limit = h('input', { name: 'limit', type: 'number', min: 1, placeholder: 'all' });
  const result = h('span', {});
  const form = h('form', { class: 'inline', id: 'redrive-form', 'data-write': true }, field('at most', limit), h('button', { type: 'submit' }, 'Redrive dead letters'), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const { moved } = await api.send<{ moved: number }>('POST', `${queuePath(groupId)}/redrive`, limit.value === '' ? {} : { limit: Number(limit.value) });
      onMoved(moved);
    } catch (err) {
      replaceChildren(result, errorBox(err));
    }
  });
  return h('section', {}, h('h2', {}, 'Dead letters'), form);
}
