// The process's open files against its limit (`ulimit -n`), read from /proc on
// Linux; null elsewhere. The OS layer (libuv) closes connections it cannot accept
// for want of file descriptors without telling the listener, so the listener
// watches how close it is instead.

import fs from 'node:fs';

/** The soft limit on open files, or null when it cannot be read or is unlimited. */
export function openFilesLimit(): number | null {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    return Number.isInteger(soft) && soft > 0 ? soft : null;
  } catch {
    return null;
  }
}

/** Files (and sockets) open now, or null when they cannot be counted. */
export function openFilesCount(): number | null {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}
