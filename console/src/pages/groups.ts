// Consumer groups: every group with its state and type; share groups link to
// their queue page.

import type { GroupSummary } from '../api-types.js';
import { groupPath, queuePath } from '../api.js';
import { h, link, replaceChildren, table } from '../dom.js';
import { errorBox, type Page } from '../page.js';

export const groupsPage: Page = async (view, { api }) => {
  replaceChildren(view, h('h1', {}, 'Consumer groups'));
  try {
    const { groups } = await api.get<{ groups: GroupSummary[] }>('/groups');
    view.append(
      groups.length === 0
        ? h('p', { class: 'muted' }, 'no groups')
        : table(
            ['group', 'state', 'type', 'protocol type'],
            groups.map((g) => [link(g.type === 'share' ? queuePath(g.groupId) : groupPath(g.groupId), g.groupId), g.state, g.type, g.protocolType]),
            { id: 'group-list' },
          ),
    );
  } catch (err) {
    view.append(errorBox(err));
  }
};
