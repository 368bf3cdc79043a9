// Bounded concurrency over a list, for work that may overlap but must not all run at once.

/**
 * Calls `fn` on every item, at most `limit` at a time. After a failure no
 * new call starts; resolves once the calls in progress have settled, then
 * rejects with the first error.
 */
export async function forEachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
}
