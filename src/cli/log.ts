// `sluice log verify|truncate-corrupt`: the partition logs of a data directory,
// read straight from the segment files with the broker stopped. verify checks
// the CRC32C of every batch and lists the corrupt ones (exit code 1 if any);
// truncate-corrupt, only when asked, cuts one partition's log at its first
// corrupt batch and says what it cut. The running broker never cuts a corrupt
// batch itself: it keeps the bytes and refuses to serve them.

import type { Command } from 'commander';
import { SluiceError } from '../errors.js';
import { type CorruptFinding, partitionDirs, truncateAtFirstCorrupt, verifyPartition } from '../storage/offline-verify.js';
import { integerArg } from './arguments.js';
import { formatJson, formatTable, print } from './output.js';

interface VerifyFlags {
  dataDir: string;
  topic?: string;
  partition?: number;
  json?: boolean;
}

function offsets(f: CorruptFinding): string {
  return f.lastOffset === null ? `${f.baseOffset}-?` : `${f.baseOffset}-${f.lastOffset}`;
}

function registerVerify(log: Command): void {
  log
    .command('verify')
    .description('check the CRC32C of every record batch in the segment files; exit code 1 if any is corrupt')
    .requiredOption('--data-dir <dir>', 'the broker data directory (stop the broker first)')
    .option('--topic <name>', 'only this topic')
    .option('--partition <n>', 'only this partition', integerArg(0))
    .option('--json', 'print JSON instead of a table', false)
    .addHelpText('after', '\nExample:\n  sluice log verify --data-dir ./data --topic orders')
    .action((flags: VerifyFlags) => {
      const findings = partitionDirs(flags.dataDir, flags.topic, flags.partition).flatMap(verifyPartition);
      if (flags.json) print(formatJson(findings));
      else if (findings.length === 0) print('no corrupt batches\n');
      else print(formatTable(['TOPIC', 'PARTITION', 'OFFSETS', 'SEGMENT', 'POSITION', 'REASON'], findings.map((f) => [f.topic, f.partition, offsets(f), f.segment, f.position, f.reason])));
      if (findings.length > 0) process.exitCode = 1;
    });
}

function registerTruncateCorrupt(log: Command): void {
  log
    .command('truncate-corrupt')
    .description("cut one partition's log at its first corrupt batch, dropping every record from there on (stop the broker first)")
    .requiredOption('--data-dir <dir>', 'the broker data directory')
    .requiredOption('--topic <name>', 'the topic')
    .requiredOption('--partition <n>', 'the partition', integerArg(0))
    .addHelpText('after', '\nExample:\n  sluice log truncate-corrupt --data-dir ./data --topic orders --partition 3')
    .action((flags: Required<Omit<VerifyFlags, 'json'>>) => {
      const [p] = partitionDirs(flags.dataDir, flags.topic, flags.partition);
      if (p === undefined) throw new SluiceError('SLUICE_ERR_INPUT', `no partition ${flags.topic}-${flags.partition} in ${flags.dataDir}`);
      const cut = truncateAtFirstCorrupt(p);
      if (cut === null) {
        print(`${flags.topic}-${flags.partition}: no corrupt batches, nothing cut\n`);
        return;
      }
      print(`${flags.topic}-${flags.partition}: cut at offset ${cut.logEndOffset} (the log now ends there): ${cut.bytesCut} bytes of ${cut.segment}\n`);
      for (const s of cut.segmentsRemoved) print(`removed ${s}\n`);
    });
}

export function registerLog(program: Command): void {
  const log = program.command('log').description('check partition logs on disk offline, and cut them at corruption when asked');
  registerVerify(log);
  registerTruncateCorrupt(log);
}
