// One topic: per partition its offsets, size and corrupt ranges; its configs
// (those set on the topic marked); the groups with offsets on it; and the ways
// into its records.

import type { TopicDetail } from '../api-types.js';
import { groupPath, topicPath } from '../api.js';
import { formatBytes, formatNumber, h, link, replaceChildren, table } from '../dom.js';
import { errorBox, type Page } from '../page.js';

export const topicPage: Page = async (view, { api, config }, name) => {
  replaceChildren(view, h('h1', {}, name));
  try {
    const topic = await api.get<TopicDetail>(topicPath(name));
    const path = topicPath(name);
    replaceChildren(
      view,
      h('h1', {}, topic.name),
      h('p', { class: 'muted' }, `topic id ${topic.topicId}${topic.internal ? ' · internal' : ''}`),
      h('div', { class: 'toolbar' }, link(`/browse${path}`, 'Browse records'), link(`/tail${path}`, 'Live tail'), config.writes ? h('a', { href: `#/produce${path}`, 'data-write': true }, 'Produce') : null),
      h('h2', {}, 'Partitions'),
      table(
        ['partition', 'leader', 'log start', 'high watermark', 'last stable', 'records', 'size', 'corrupt ranges'],
        topic.partitions.map((p) => [
          p.partition,
          p.offline ? h('span', { class: 'bad' }, 'offline') : p.leader,
          formatNumber(p.logStartOffset),
          formatNumber(p.highWatermark),
          formatNumber(p.lastStableOffset),
          p.highWatermark === undefined || p.logStartOffset === undefined ? '–' : formatNumber(p.highWatermark - p.logStartOffset),
          formatBytes(p.sizeBytes),
          p.corruptRanges && p.corruptRanges.length > 0
            ? h('span', { class: 'bad' }, p.corruptRanges.map((c) => `${c.baseOffset}–${c.lastOffset} (${c.segment} @${c.position}, ${formatBytes(c.size)})`).join('; '))
            : 'none',
        ]),
        { id: 'partitions' },
      ),
      h('h2', {}, 'Consumer groups'),
      topic.groups.length === 0 ? h('p', { class: 'muted' }, 'no group has committed offsets on this topic') : h('ul', { id: 'topic-groups' }, ...topic.groups.map((g) => h('li', {}, link(groupPath(g), g)))),
      h('h2', {}, 'Configs'),
      table(
        ['name', 'value', 'source'],
        topic.configs.map((c) => [c.source === 'DYNAMIC_TOPIC_CONFIG' ? h('strong', {}, c.name) : c.name, c.value, c.source]),
        { id: 'configs' },
      ),
    );
  } catch (err) {
    replaceChildren(view, h('h1', {}, name), errorBox(err));
  }
};
