// Whether a partition's log was closed cleanly, so that opening it may skip
// recovery. Each broker run has an id, kept durably in the data directory:
//
//   <dataDir>/broker-run      the id of the run now going, written at start
//   <partition>/.clean-shutdown  the id of the run that closed the log cleanly
//
// A log whose marker names the previous run was closed cleanly by it and not
// touched since: a crash of that run after the close leaves the marker right,
// and a crash of this run or any later one leaves a marker naming a run that
// is no longer the previous one. So opening a log needs no write at all, where
// removing a marker durably cost a directory fsync per partition (half a
// millisecond each: seconds for a broker of thousands). Two exceptions remove
// the marker durably on open, as every open once did: a log closed and opened
// again within one run (its marker names this run), and every log of a run
// whose id could not be written (a full disk, where a start must still work
// when it has nothing else to write).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TMP_SUFFIX, fsyncDirectory, writeFileAtomically } from './checkpoint-file.js';

export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
export const BROKER_RUN_FILE = 'broker-run';

export interface BrokerRuns {
  /** The run before this one (null: none known, e.g. a new data directory). */
  readonly previous: string | null;
  readonly current: string;
  /** Whether `current` is on disk: when not, a crash of this run would leave the previous one's markers right. */
  readonly recorded: boolean;
}

/** Runs of a process that keeps no data directory of its own (tools, tests opening logs directly). */
export const PROCESS_RUNS: BrokerRuns = { previous: null, current: crypto.randomUUID(), recorded: false };

/** Starts a run in `dataDir`: reads the previous run's id and durably replaces it with a new one. */
export function beginBrokerRun(dataDir: string): BrokerRuns {
  const file = path.join(dataDir, BROKER_RUN_FILE);
  let previous: string | null = null;
  try {
    previous = fs.readFileSync(file, 'utf8').trim() || null;
  } catch {
    // a new data directory, or one from before run ids: every log is recovered once
  }
  const current = crypto.randomUUID();
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    writeFileAtomically(file, `${current}\n`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    fs.rmSync(`${file}${TMP_SUFFIX}`, { force: true });
    return { previous, current, recorded: false };
  }
  return { previous, current, recorded: true };
}

/** Whether the log in `dir` was closed cleanly (see the top of the file); afterwards its marker says nothing more. */
export function closedCleanly(dir: string, runs: BrokerRuns): boolean {
  const marker = path.join(dir, CLEAN_SHUTDOWN_FILE);
  let named: string;
  try {
    named = fs.readFileSync(marker, 'utf8');
  } catch {
    return false;
  }
  if (named === runs.previous && runs.recorded) return true;
  fs.rmSync(marker, { force: true });
  if (named !== runs.previous && named !== runs.current) return false;
  // A crash from now on must not find the marker.
  fsyncDirectory(dir);
  return true;
}

/**
 * Call once everything in `dir` is durable. The marker itself is not fsynced:
 * losing it or tearing it in a crash only makes the next open recover a log
 * that needed no recovery.
 */
export function writeCleanShutdownMarker(dir: string, runs: BrokerRuns): void {
  fs.writeFileSync(path.join(dir, CLEAN_SHUTDOWN_FILE), runs.current);
}
