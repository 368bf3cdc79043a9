// One consumer group: its members and what each is assigned, its lag per
// partition in offsets and seconds, and (on a broker that allows writes and
// serves it) the offset reset.

import type { GroupDetail } from '../api-types.js';
import { groupPath, topicPath } from '../api.js';
import { formatNumber, h, link, replaceChildren, table } from '../dom.js';
import { offsetResetForm } from '../offset-reset-form.js';
import { errorBox, type Page, type PageContext } from '../page.js';

export const groupPage: Page = (view, ctx, groupId) => renderGroup(view, ctx, groupId, null);

/** `notice`: what the last action did, shown above the figures it changed. */
async function renderGroup(view: HTMLElement, ctx: PageContext, groupId: string, notice: string | null): Promise<void> {
  const { api, config } = ctx;
  replaceChildren(view, h('h1', {}, groupId));
  try {
    const group = await api.get<GroupDetail>(groupPath(groupId));
    const canReset = config.writes && config.routes.offsetReset;
    replaceChildren(
      view,
      h('h1', {}, group.groupId),
      notice === null ? null : h('p', { class: 'ok', id: 'group-notice' }, notice),
      h('p', { class: 'muted' }, `${group.type} group · ${group.state} · ${group.protocolType || 'no protocol type'}${group.protocol ? ` · ${group.protocol}` : ''}`),
      h('h2', {}, `Members (${group.members.length})`),
      group.members.length === 0
        ? h('p', { class: 'muted' }, 'no members')
        : table(
            ['member', 'client id', 'host', 'assignment'],
            group.members.map((m) => [m.groupInstanceId ?? m.memberId, m.clientId, m.clientHost, m.assignment.map((a) => `${a.topic}: ${a.partitions.join(', ')}`).join('; ')]),
            { id: 'members' },
          ),
      h('h2', {}, 'Lag ', h('span', { id: 'total-lag' }, formatNumber(group.totalLag)), ' offsets'),
      table(
        ['topic', 'partition', 'committed', 'log start', 'high watermark', 'lag (offsets)', 'lag (seconds)'],
        group.partitions.map((p) => [
          link(topicPath(p.topic), p.topic),
          p.partition,
          formatNumber(p.committedOffset),
          formatNumber(p.logStartOffset),
          formatNumber(p.highWatermark),
          formatNumber(p.lag),
          p.lagSeconds === null ? '–' : p.lagSeconds.toFixed(1),
        ]),
        { id: 'lag' },
      ),
      canReset ? h('h2', {}, 'Reset offsets') : null,
      canReset ? offsetResetForm(api, group, (moved) => void renderGroup(view, ctx, groupId, `Offsets reset on ${moved} partition${moved === 1 ? '' : 's'}.`)) : null,
    );
  } catch (err) {
    view.append(errorBox(err));
  }
}
