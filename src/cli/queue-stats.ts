// `sluice queue stats [group]`: what operators watch of each queue (share
// group), per partition and in total: ready, delayed and in-flight messages,
// the age of the oldest ready one, and counters since the broker started. The
// Kafka protocol has no request for these, so they come from the broker's
// HTTP API (GET /queues).

import type { Command } from 'commander';
import { SluiceError } from '../errors.js';
import type { ShareFigures, ShareGroupFigures } from '../coordinator/share/share-figures.js';
import { addBootstrapOption } from './client-options.js';
import { type HttpFlags, addHttpOptions, getFromHttpApi, httpBase } from './http-api.js';
import { type Cell, formatJson, formatTable, print } from './output.js';

interface StatsFlags extends HttpFlags {
  json?: boolean;
}

const HEADERS = ['GROUP', 'TOPIC', 'PARTITION', 'READY', 'DELAYED', 'IN-FLIGHT', 'OLDEST-READY', 'ACKNOWLEDGED', 'ARCHIVED', 'DEAD-LETTERED', 'REDELIVERIES', 'FILTERED'];

function ageText(ms: number | null): string | null {
  if (ms === null) return null;
  return ms < 10_000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`;
}

function figureCells(f: ShareFigures): Cell[] {
  return [f.ready, f.delayed, f.inFlight, ageText(f.oldestReadyAgeMs), f.acknowledged, f.archived, f.deadLettered, f.redeliveries, f.filtered];
}

/** One row per partition, then the group's totals (topic and partition '*'). */
function rowsOf(queue: ShareGroupFigures): Cell[][] {
  return [...queue.partitions.map((p) => [queue.groupId, p.topic, p.partition, ...figureCells(p)]), [queue.groupId, '*', '*', ...figureCells(queue.totals)]];
}

async function stats(group: string | undefined, flags: StatsFlags): Promise<void> {
  const path = group === undefined ? '/queues' : `/queues/${encodeURIComponent(group)}`;
  const answer = await getFromHttpApi<{ queues: ShareGroupFigures[] } | ShareGroupFigures>(flags, path);
  if (!answer.ok) {
    throw new SluiceError('SLUICE_ERR_HTTP_API', `queue figures unavailable: ${answer.reason}`, {
      hint: `the figures come from the broker's HTTP API (sluice serve --http-port, default 8080); pass its address with --http <url> (tried ${httpBase(flags)})`,
    });
  }
  const queues = 'queues' in answer.body ? answer.body.queues : [answer.body];
  if (flags.json) return print(formatJson(queues));
  print(formatTable(HEADERS, queues.flatMap(rowsOf)));
}

export function registerQueueStats(queue: Command): void {
  addHttpOptions(addBootstrapOption(queue.command('stats [group]').description("each share group's ready, delayed and in-flight messages, oldest ready age, and counts since the broker started")))
    .option('--json', 'print the figures as JSON')
    .addHelpText('after', '\nExample:\n  sluice queue stats workers')
    .action((group: string | undefined, flags: StatsFlags) => stats(group, flags));
}
