// The broker at a glance: its listener and mode, the cluster's brokers and the
// partitions short of replicas (listed when there are any), the latest rates
// from the history, topic, group and queue counts and the records and bytes stored.

import type { ClusterView, GroupSummary, PartitionReplicas, Queue } from '../api-types.js';
import { formatBytes, formatNumber, formatRate, h, link, replaceChildren, table } from '../dom.js';
import { loadHistory } from '../history.js';
import { errorBox, type Page } from '../page.js';
import { allTopics } from '../topic-catalog.js';

export const overviewPage: Page = async (view, { api, config }) => {
  replaceChildren(view, h('h1', {}, 'Overview'), h('p', { class: 'muted' }, 'loading…'));
  try {
    const [topics, { groups }, { queues }, history, cluster] = await Promise.all([
      allTopics(api, false),
      api.get<{ groups: GroupSummary[] }>('/groups'),
      api.get<{ queues: Queue[] }>('/queues'),
      loadHistory(api, config),
      api.get<ClusterView>('/cluster'),
    ]);
    const short = [
      ...cluster.offlinePartitions.map((p) => replicaRow(p, 'offline')),
      ...cluster.underReplicatedPartitions.map((p) => replicaRow(p, 'under-replicated')),
    ];
    const last = history?.points.at(-1);
    replaceChildren(
      view,
      h('h1', {}, 'Overview'),
      h(
        'section',
        { class: 'cards' },
        card('Broker', `node ${config.nodeId}`, config.kafkaListener),
        card('HTTP API', config.writes ? 'read-write' : 'read-only', config.tokenRequired ? 'token required' : 'no token'),
        card('Brokers', formatNumber(cluster.brokers.length), cluster.controllerId < 0 ? 'no controller' : `controller ${cluster.controllerId}`),
        card('Under-replicated', formatNumber(cluster.underReplicatedPartitions.length), `${formatNumber(cluster.offlinePartitions.length)} offline`),
        card('Records in', last ? formatRate(last.recordsInPerSec, 'rec') : 'no history yet', last ? formatRate(last.bytesInPerSec / 1024, 'KiB') : ''),
        card('Records out', last ? formatRate(last.recordsOutPerSec, 'rec') : 'no history yet', last ? formatRate(last.bytesOutPerSec / 1024, 'KiB') : ''),
        card('Group lag', last ? formatNumber(last.groupLag) : 'no history yet', 'offsets, all groups'),
      ),
      table(
        ['', 'count', 'stored'],
        [
          [link('/topics', 'Topics'), formatNumber(topics.length), `${formatNumber(topics.reduce((n, t) => n + t.records, 0))} records, ${formatBytes(topics.reduce((n, t) => n + t.sizeBytes, 0))}`],
          [link('/groups', 'Consumer groups'), formatNumber(groups.filter((g) => g.type !== 'share').length), ''],
          [link('/queues', 'Queues'), formatNumber(queues.length), `${formatNumber(queues.reduce((n, q) => n + q.totals.ready, 0))} ready`],
        ],
        { id: 'totals' },
      ),
      ...(short.length === 0 ? [] : [h('h2', {}, 'Partitions short of replicas'), table(['partition', 'state', 'leader', 'replicas', 'in sync'], short, { id: 'replication' })]),
    );
  } catch (err) {
    replaceChildren(view, h('h1', {}, 'Overview'), errorBox(err));
  }
};

function replicaRow(p: PartitionReplicas, state: string): string[] {
  return [`${p.topic}-${p.partition}`, state, p.leader < 0 ? 'none' : String(p.leader), p.replicas.join(', '), p.isr.join(', ')];
}

function card(title: string, figure: string, note: string): HTMLElement {
  return h('div', { class: 'card' }, h('div', { class: 'card-title' }, title), h('div', { class: 'figure' }, figure), h('div', { class: 'muted' }, note));
}
