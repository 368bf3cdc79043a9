// One etcd member as a child process on free loopback ports, with a data
// directory of its own: the control plane of the cluster benchmark.

import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from './free-port.js';
import os from 'node:os';
import path from 'node:path';

export const ETCD_BIN = '/usr/bin/etcd';

export interface EtcdProcess {
  endpoint: string;
  stop(): Promise<void>;
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`);
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

export async function startEtcd(): Promise<EtcdProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const child: ChildProcess = spawn(
    ETCD_BIN,
    ['--name', 'bench', '--data-dir', dir, '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `bench=http://127.0.0.1:${peer}`],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 20_000;
  while (!(await healthy(endpoint))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`etcd did not become healthy at ${endpoint}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGKILL');
      }),
  };
}
