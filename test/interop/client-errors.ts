// The Kafka error name a third-party client reports, dug out of the error it
// throws (which may wrap it in retries or aggregate several).

/** kafkajs: the name in `err`, its aggregated `errors` or the error behind its retries. */
export function kafkajsErrorType(err: unknown): string | undefined {
  const e = err as { type?: string; errors?: unknown[]; cause?: unknown };
  if (e.type) return e.type;
  if (e.errors?.length) return kafkajsErrorType(e.errors[0]);
  if (e.cause) return kafkajsErrorType(e.cause);
  return undefined;
}

/** @platformatic/kafka: the name in `err` or any error it aggregates. */
export function platformaticErrorId(err: unknown): string | undefined {
  const e = err as { apiId?: string; errors?: unknown[]; cause?: unknown };
  if (e.apiId) return e.apiId;
  for (const inner of e.errors ?? []) {
    const id = platformaticErrorId(inner);
    if (id) return id;
  }
  return e.cause ? platformaticErrorId(e.cause) : undefined;
}
