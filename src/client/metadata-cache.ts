// What the client knows of each topic it uses (partitions, leaders, leader
// epochs, topic id), so produce and fetch need not ask for Metadata on every
// call. An entry is used until it is `metadataMaxAgeMs` old (Kafka's
// metadata.max.age.ms, default 5 minutes: the next use then refreshes it, which
// is how added partitions get noticed without any error) or until it is
// invalidated: callers invalidate a topic on the errors that say its leaders
// moved or it changed (`refreshesMetadata` in retriable.ts). Concurrent
// refreshes of one topic share one request; a refresh that fails (the topic
// was deleted, or no broker answered) leaves the topic out of the cache.
//
//   entries:    topic -> { info, fetchedAt }         answered Metadata
//   refreshing: topic + auto-create flag -> promise  the request in flight

import type { TopicInfo } from './kafka-client.js';

export type TopicFetcher = (name: string, allowAutoCreate: boolean) => Promise<TopicInfo>;

export class MetadataCache {
  private readonly entries = new Map<string, { info: TopicInfo; fetchedAt: number }>();
  private readonly refreshing = new Map<string, Promise<TopicInfo>>();

  constructor(
    private readonly fetchTopic: TopicFetcher,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The last answer about the topic, however old (where leaders were last known). */
  latest(name: string): TopicInfo | undefined {
    return this.entries.get(name)?.info;
  }

  /** The cached topic while it is younger than maxAgeMs; undefined when a request is needed. */
  known(name: string): TopicInfo | undefined {
    const entry = this.entries.get(name);
    return entry && this.now() - entry.fetchedAt < this.maxAgeMs ? entry.info : undefined;
  }

  /** The cached topic while it is younger than maxAgeMs, else a refresh. */
  get(name: string, allowAutoCreate = false): Promise<TopicInfo> {
    const entry = this.entries.get(name);
    if (entry && this.now() - entry.fetchedAt < this.maxAgeMs) return Promise.resolve(entry.info);
    return this.refresh(name, allowAutoCreate);
  }

  /** Fresh Metadata for the topic, shared with a refresh already in flight; the cache keeps the answer. */
  refresh(name: string, allowAutoCreate = false): Promise<TopicInfo> {
    const key = `${allowAutoCreate ? '+' : '-'}${name}`;
    let pending = this.refreshing.get(key);
    if (!pending) {
      const fetching = this.fetchTopic(name, allowAutoCreate).then(
        (info) => {
          this.entries.set(name, { info, fetchedAt: this.now() });
          return info;
        },
        (err: unknown) => {
          this.entries.delete(name);
          throw err;
        },
      );
      pending = fetching.finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return pending;
  }

  /** Forgets the topic, so its next use asks the broker again. */
  invalidate(name: string): void {
    this.entries.delete(name);
  }
}
