// Sluice's own errors (not Kafka protocol errors): each has a stable code,
// listed with what to do in docs/errors.md.

export class SluiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SluiceError';
  }
}

export class ConfigError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_ERR_CONFIG', message, options);
  }
}
