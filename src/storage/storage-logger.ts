// What the storage layer needs from a logger: a pino Logger fits, and so does
// anything with the same three methods. Only rare events (recovery, failed index
// writes, corrupt batches) are logged; the hot paths never log.

export interface StorageLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentStorageLogger: StorageLogger = {
  info() {},
  warn() {},
  error() {},
};
