// A group's offset reset: the form opens pre-filled (the group's first topic,
// to latest) and shows its dry run at once; Apply sends the same request for
// real, and only after a dry run of exactly those settings; the page then
// shows the group again with what was reset.

import type { GroupDetail, OffsetResetPlan } from './api-types.js';
import { type Api, groupPath } from './api.js';
import { field, formatNumber, h, replaceChildren, table } from './dom.js';
import { errorBox } from './page.js';

export function offsetResetForm(api: Api, group: GroupDetail, onApplied: (partitions: number) => void): HTMLElement {
  const topics = [...new Set(group.partitions.map((p) => p.topic))];
  const topic = h('select', { name: 'topic' }, ...topics.map((t) => h('option', { value: t }, t)));
  const to = h('select', { name: 'to' }, ...['latest', 'earliest', 'offset', 'time'].map((t) => h('option', { value: t }, t)));
  const offset = h('input', { name: 'offset', type: 'number', min: 0, value: '0' });
  const time = h('input', { name: 'time', type: 'datetime-local', step: 1 });
  const partitions = h('input', { name: 'partitions', placeholder: 'all, or e.g. 0,2' });
  const apply = h('button', { type: 'button', disabled: true }, 'Apply reset');
  const plan = h('div', { id: 'reset-plan' });
  let planned: string | null = null;

  const request = (dryRun: boolean) => {
    const chosen = partitions.value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return {
      topic: topic.value,
      to: to.value,
      ...(to.value === 'offset' ? { offset: Number(offset.value) } : {}),
      ...(to.value === 'time' ? { time: new Date(time.value).getTime() || 0 } : {}),
      ...(chosen.length > 0 ? { partitions: chosen.map(Number) } : {}),
      dryRun,
    };
  };
  const send = async (dryRun: boolean): Promise<void> => {
    const body = request(dryRun);
    try {
      const answer = await api.send<OffsetResetPlan>('POST', `${groupPath(group.groupId)}/offsets/reset`, body);
      if (!dryRun) {
        onApplied(answer.partitions.length);
        return;
      }
      replaceChildren(
        plan,
        h('p', {}, 'Dry run: nothing changed yet.'),
        table(['topic', 'partition', 'current', 'target'], answer.partitions.map((p) => [p.topic, p.partition, formatNumber(p.current), formatNumber(p.target)])),
      );
      planned = JSON.stringify(request(false));
      apply.disabled = false;
    } catch (err) {
      planned = null;
      apply.disabled = true;
      replaceChildren(plan, errorBox(err));
    }
  };
  const form = h(
    'form',
    { class: 'grid', id: 'reset-form', 'data-write': true },
    field('topic', topic),
    field('to', to),
    field('offset', offset),
    field('time', time),
    field('partitions', partitions),
    h('div', {}, h('button', { type: 'submit' }, 'Dry run'), ' ', apply),
  );
  // A change of any setting voids the dry run that Apply would stand on.
  form.addEventListener('input', () => ((planned = null), (apply.disabled = true)));
  form.addEventListener('submit', (event) => (event.preventDefault(), void send(true)));
  apply.addEventListener('click', () => {
    if (planned === JSON.stringify(request(false))) void send(false);
  });
  if (topics.length > 0) void send(true);
  return h('section', {}, form, plan);
}
