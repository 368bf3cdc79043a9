// etcd members a test starts itself: 1 or 3 `etcd` processes on free loopback
// ports with temporary data directories, ready once every member answers
// /health. `kill(member)` stops one the way a crash does (SIGKILL);
// `stop()` kills them all and removes their directories.
//
//   describe('...', skipUnless(etcdServer), () => { ... });
//   const etcd = await startEtcd(t, 3);

import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './free-port.js';
import type { InteropTool } from './interop-tools.js';

const ETCD = process.env.SLUICE_ETCD ?? '/usr/bin/etcd';

export const etcdServer: InteropTool = {
  name: 'etcd',
  install: 'apt-get install etcd-server',
  isAvailable: () => fs.existsSync(ETCD),
};

export interface EtcdMember {
  name: string;
  clientUrl: string;
  process: ChildProcess;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** The client URLs of the members still running, for `etcd` in a broker's config. */
  endpoints(): string[];
  /** The member that is Raft leader now (asked of the running members). */
  leader(): Promise<EtcdMember>;
  /** Kills one member with SIGKILL and waits until it has exited. */
  kill(member: EtcdMember): Promise<void>;
  /** Kills every member and removes their data directories. */
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 20_000;

/** Starts `size` members (1 or 3) forming one cluster; stopped when `t` ends. */
export async function startEtcd(t: TestContext, size: 1 | 3 = 1): Promise<EtcdCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-etcd-'));
  const ports: { name: string; client: number; peer: number }[] = [];
  for (let i = 0; i < size; i++) ports.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  const initialCluster = ports.map((p) => `${p.name}=http://127.0.0.1:${p.peer}`).join(',');
  const members: EtcdMember[] = ports.map((p) => {
    const clientUrl = `http://127.0.0.1:${p.client}`;
    const peerUrl = `http://127.0.0.1:${p.peer}`;
    const child = spawn(
      ETCD,
      [
        '--name', p.name,
        '--data-dir', path.join(dir, p.name),
        '--listen-client-urls', clientUrl,
        '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', path.basename(dir),
        // Fast elections on loopback, so a test that kills the leader waits little.
        '--heartbeat-interval', '50',
        '--election-timeout', '500',
        '--log-level', 'error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      if (!killed.has(p.name) && !stopped) t.diagnostic(`etcd ${p.name} exited (${code ?? signal}): ${stderr}`);
    });
    return { name: p.name, clientUrl, process: child };
  });
  const killed = new Set<string>();
  let stopped = false;
  const running = () => members.filter((m) => !killed.has(m.name));

  const cluster: EtcdCluster = {
    members,
    endpoints: () => running().map((m) => m.clientUrl),
    async leader() {
      const deadline = Date.now() + READY_WITHIN_MS;
      for (;;) {
        for (const m of running()) {
          const status = await post(m.clientUrl, '/v3/maintenance/status');
          if (status?.leader && status.leader === status.header?.member_id) return m;
        }
        if (Date.now() > deadline) throw new Error('no etcd member is leader');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(member) {
      killed.add(member.name);
      if (member.process.exitCode !== null || member.process.signalCode !== null) return;
      const exited = new Promise((r) => member.process.once('exit', r));
      member.process.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(members.map((m) => cluster.kill(m)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  t.after(() => cluster.stop());
  try {
    await Promise.all(members.map((m) => waitHealthy(m)));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

async function waitHealthy(member: EtcdMember): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (member.process.exitCode !== null) throw new Error(`etcd ${member.name} exited with ${member.process.exitCode} before it was healthy`);
    try {
      const res = await fetch(`${member.clientUrl}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`etcd ${member.name} was not healthy within ${READY_WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface StatusResponse {
  header?: { member_id?: string };
  leader?: string;
}

/** A call to etcd's JSON gateway; null when the member does not answer. */
async function post(clientUrl: string, route: string): Promise<StatusResponse | null> {
  try {
    const res = await fetch(`${clientUrl}${route}`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
    return res.ok ? ((await res.json()) as StatusResponse) : null;
  } catch {
    return null;
  }
}
