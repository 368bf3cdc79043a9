// The Kafka error name a third-party client reports inside the errors it throws
// (wrapped by retries, or aggregated per partition), for asserting on them:
//
//   await assert.rejects(producer.send(...), (err) => kafkajsErrorType(err) === 'INVALID_RECORD');

/** The Kafka error name kafkajs reports in `err`, its aggregated `errors` or the error behind its retries. */
export function kafkajsErrorType(err: unknown): string | undefined {
  const e = err as { type?: string; errors?: unknown[]; cause?: unknown };
  if (e.type) return e.type;
  if (e.errors?.length) return kafkajsErrorType(e.errors[0]);
  if (e.cause) return kafkajsErrorType(e.cause);
  return undefined;
}

/** The Kafka error name platformatic reports in `err` or any error it aggregates (the first found). */
export function platformaticErrorId(err: unknown): string | undefined {
  return platformaticErrorIds(err)[0];
}

/**
 * Every Kafka error name platformatic reports in `err` and the errors it
 * aggregates, depth first. A Produce v8+ answer with record errors gives one
 * per record error (as UNKNOWN_SERVER_ERROR) before the partition's own.
 */
export function platformaticErrorIds(err: unknown): string[] {
  const e = err as { apiId?: string; errors?: unknown[]; cause?: unknown };
  if (e.apiId) return [e.apiId];
  const inner = (e.errors ?? []).flatMap(platformaticErrorIds);
  return inner.length > 0 || !e.cause ? inner : platformaticErrorIds(e.cause);
}
