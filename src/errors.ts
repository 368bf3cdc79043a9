// Sluice's own errors (not Kafka protocol errors): each has a stable code,
// listed with what to do in docs/errors.md.

export class SluiceError extends Error {
  /** What the operator can do about it, when there is something; printed under the message. */
  readonly hint: string | undefined;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, options);
    this.name = 'SluiceError';
    this.hint = options?.hint;
  }
}

export class ConfigError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_ERR_CONFIG', message, options);
  }
}

/** Sluice's code and the operator's remedy for each errno a file operation can fail with. */
const STORAGE_FAILURES: Record<string, { code: string; hint: string }> = {
  ENOSPC: { code: 'SLUICE_ERR_DISK_FULL', hint: "free space on the data directory's disk (or move it to a larger one), then start the broker again" },
  EDQUOT: { code: 'SLUICE_ERR_DISK_FULL', hint: "the disk quota of the broker's user is used up: raise it or free space" },
  EFBIG: { code: 'SLUICE_ERR_DISK_FULL', hint: 'a file reached the file size limit: raise `ulimit -f` (unlimited for a broker)' },
  EMFILE: { code: 'SLUICE_ERR_FILE_LIMIT', hint: 'raise the open-file limit of the broker process (`ulimit -n`, or LimitNOFILE= in a systemd unit)' },
  ENFILE: { code: 'SLUICE_ERR_FILE_LIMIT', hint: 'the system-wide open-file table is full: raise fs.file-max (sysctl) or close other programs' },
  EIO: { code: 'SLUICE_ERR_STORAGE', hint: "the disk reported an I/O error: check it (dmesg, smartctl) before trusting the data directory" },
  EACCES: { code: 'SLUICE_ERR_STORAGE', hint: "the broker's user may not read or write the data directory: fix its ownership or permissions" },
  EPERM: { code: 'SLUICE_ERR_STORAGE', hint: "the broker's user may not read or write the data directory: fix its ownership or permissions" },
  EROFS: { code: 'SLUICE_ERR_STORAGE', hint: 'the data directory is on a read-only filesystem: remount it read-write' },
};

/** The errno code (ENOSPC, EMFILE, ...) of `err` or of the first error in its cause chain that has one. */
export function errnoOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_')) return code;
  }
  return undefined;
}

/**
 * `err` as a SluiceError with a stable code and a hint when a file operation
 * failed (its errno is known); other errors are returned unchanged. `doing`
 * says what the broker was doing ("opening partition t-0"); `extraHint` adds
 * what only the caller knows (how many files it needs).
 */
export function asStorageFailure(err: unknown, doing: string, extraHint = ''): unknown {
  const errno = errnoOf(err);
  const known = errno === undefined ? undefined : STORAGE_FAILURES[errno];
  if (!known) return err;
  if (err instanceof SluiceError && err.code === known.code && err.hint) return err;
  const message = (err as Error).message;
  const detail = message.includes(errno as string) ? message : `${message} (${errno})`;
  return new SluiceError(known.code, `${doing} failed: ${detail}`, { cause: err, hint: extraHint ? `${known.hint}; ${extraHint}` : known.hint });
}
