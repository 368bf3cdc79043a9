// A librdkafka share consumer in a child process (test/interop/c/share-consume.c,
// built by buildLibrdkafkaProgram('share-consume')), killed when the test ends:
//
//   const c = runShareConsumer(t, program, broker, 'workers', 'jobs', 10, 'accept');
//   assert.equal(await c.exited, 0);
//   c.received   // one entry per record delivered, in order

import { type ChildProcess, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';

export interface Received {
  partition: number;
  offset: number;
  deliveryCount: number;
  value: string;
}

export interface ShareConsumer {
  child: ChildProcess;
  received: Received[];
  /** Resolves with the exit status once the process ends. */
  exited: Promise<number | null>;
  /** Resolves once a line satisfies `predicate` (checked on each line as it arrives). */
  sawLine(predicate: (line: string) => boolean): Promise<void>;
}

export function runShareConsumer(t: TestContext, program: string, broker: { bootstrap: string }, group: string, topic: string, records: number, mode: string, env: Record<string, string> = {}): ShareConsumer {
  const child = spawn(program, [broker.bootstrap, group, topic, String(records), mode, '60'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  t.after(() => child.kill('SIGKILL'));
  const received: Received[] = [];
  const watchers: { predicate: (line: string) => boolean; resolve(): void }[] = [];
  let pending = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const m = /^(\d+) (\d+) (\d+) (.*)$/.exec(line);
      if (m) received.push({ partition: Number(m[1]), offset: Number(m[2]), deliveryCount: Number(m[3]), value: m[4] });
      for (const w of [...watchers]) {
        if (!w.predicate(line)) continue;
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`share-consume ${mode} exited ${code}:\n${stderr}`);
      resolve(code);
    }),
  );
  return { child, received, exited, sawLine: (predicate) => new Promise((resolve) => watchers.push({ predicate, resolve })) };
}
