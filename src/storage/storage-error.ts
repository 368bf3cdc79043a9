import { SluiceError } from '../errors.js';

/**
 * A partition log could not read or write its files (full disk, I/O error,
 * failed fdatasync). The append that raised it left the log unchanged; after a
 * failed fdatasync or a write that could not be rolled back the log refuses
 * further appends, because what reached the disk is no longer known.
 */
export class StorageError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_ERR_STORAGE', message, options);
    this.name = 'StorageError';
  }
}
