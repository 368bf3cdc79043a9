// `sluice cluster info | reassign` (reassign: cluster-reassign.ts). info: what the cluster looks like to a client (Metadata):
// brokers, the controller, and every partition's leader, replicas and in-sync
// replicas, each marked ok, under-replicated (fewer in sync than replicas) or
// offline (no leader). `--problems` lists only the partitions that are not ok.

import type { Command } from 'commander';
import { Admin, type ClusterPartition } from '../client/admin.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { registerReassign } from './cluster-reassign.js';
import { formatJson, formatSection, formatTable, print } from './output.js';

interface InfoFlags extends ClientFlags {
  json?: boolean;
  problems?: boolean;
}

type PartitionStatus = 'ok' | 'under-replicated' | 'offline';

export function partitionStatus(p: ClusterPartition): PartitionStatus {
  if (p.leader < 0) return 'offline';
  return p.isr.length < p.replicas.length ? 'under-replicated' : 'ok';
}

function registerInfo(cluster: Command): void {
  addBootstrapOption(
    cluster
      .command('info')
      .description('show brokers, the controller, and per partition the leader, replicas, in-sync replicas and status')
      .option('--problems', 'list only under-replicated and offline partitions', false)
      .option('--json', 'print JSON instead of tables', false),
  ).action(async (flags: InfoFlags) => {
    const d = await withClient(flags, (client) => new Admin(client).describeCluster());
    const all = d.partitions.map((p) => ({ ...p, status: partitionStatus(p) }));
    const shown = flags.problems ? all.filter((p) => p.status !== 'ok') : all;
    const underReplicated = all.filter((p) => p.status === 'under-replicated').length;
    const offline = all.filter((p) => p.status === 'offline').length;
    if (flags.json) {
      print(formatJson({ clusterId: d.clusterId, controllerId: d.controllerId, brokers: d.brokers, underReplicated, offline, partitions: shown }));
      return;
    }
    const summary = formatTable(null, [
      ['CLUSTER', d.clusterId],
      ['CONTROLLER', d.controllerId < 0 ? 'none' : d.controllerId],
      ['BROKERS', d.brokers.length],
      ['PARTITIONS', all.length],
      ['UNDER-REPLICATED', underReplicated],
      ['OFFLINE', offline],
    ]);
    const brokers = formatTable(
      ['ID', 'HOST', 'PORT', 'RACK', 'CONTROLLER'],
      d.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack, b.nodeId === d.controllerId]),
    );
    const partitions = formatTable(
      ['TOPIC', 'PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'STATUS'],
      shown.map((p) => [p.topic, p.partition, p.leader < 0 ? 'none' : p.leader, p.leaderEpoch, `[${p.replicas.join(',')}]`, `[${p.isr.join(',')}]`, p.status]),
    );
    print([formatSection('SUMMARY', summary), formatSection('BROKERS', brokers), formatSection('PARTITIONS', partitions)].join('\n'));
  });
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('see the brokers of a cluster and the state of its partitions');
  registerInfo(cluster);
  registerReassign(cluster);
}
