// The live tail's source of records: from each partition's high watermark at
// the start, GET /topics/{t}/records polled every 500 ms. Pages use only
// `tailTopic`, so a push stream (Server-Sent Events) can take the polling's
// place here without them changing.

import { type Api, type RecordLine, topicPath } from './api.js';
import type { TopicDetail } from './api-types.js';
import { every } from './page.js';

export const TAIL_POLL_MS = 500;
/** Records asked for per partition and poll. */
const TAIL_PAGE = 500;

export interface TailEvents {
  /** Records newly arrived, in offset order per partition. */
  onRecords(records: RecordLine[]): void;
  onError(err: unknown): void;
}

/** Tails every partition of `topic` until `signal` aborts. Resolves once the starting offsets are known. */
export async function tailTopic(api: Api, topic: string, signal: AbortSignal, events: TailEvents): Promise<void> {
  const detail = await api.get<TopicDetail>(topicPath(topic));
  const next = new Map(detail.partitions.map((p) => [p.partition, p.highWatermark ?? 0]));
  every(TAIL_POLL_MS, signal, async () => {
    try {
      const pages = await Promise.all([...next].map(([partition, offset]) => api.records(topic, partition, { offset }, TAIL_PAGE).then((page) => ({ partition, page }))));
      const arrived: RecordLine[] = [];
      for (const { partition, page } of pages) {
        next.set(partition, page.nextOffset);
        arrived.push(...page.records);
      }
      if (arrived.length > 0 && !signal.aborted) events.onRecords(arrived);
    } catch (err) {
      if (!signal.aborted) events.onError(err);
    }
  });
}
