// The live tail's source of records, from each partition's high watermark at
// the start: pushed by the broker as Server-Sent Events (GET /topics/{t}/stream,
// from=latest), which EventSource resumes by itself after a dropped connection.
// EventSource cannot send a bearer token, so a broker that wants one is polled
// instead: GET /topics/{t}/records every 500 ms.

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
export function tailTopic(api: Api, topic: string, signal: AbortSignal, events: TailEvents): Promise<void> {
  return api.hasToken ? pollTopic(api, topic, signal, events) : streamTopic(topic, signal, events);
}

function streamTopic(topic: string, signal: AbortSignal, events: TailEvents): Promise<void> {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`${topicPath(topic)}/stream?from=latest`);
    let opened = false;
    signal.addEventListener('abort', () => source.close());
    // The broker fixes the starting offsets before it answers, so an open stream starts where the page opened.
    source.addEventListener('open', () => {
      opened = true;
      resolve();
    });
    source.addEventListener('message', (event) => events.onRecords([JSON.parse(event.data) as RecordLine]));
    source.addEventListener('error', (event) => {
      // The broker's `event: error` (a corrupt batch) ends the stream; a bare error is a dropped connection, retried by EventSource.
      const sent = event instanceof MessageEvent ? (JSON.parse(event.data) as { error?: { message?: string } }).error?.message : undefined;
      if (sent !== undefined || !opened) {
        source.close();
        const err = new Error(sent ?? `the stream of ${topic} could not be opened`);
        if (opened) events.onError(err);
        else reject(err);
      }
    });
  });
}

async function pollTopic(api: Api, topic: string, signal: AbortSignal, events: TailEvents): Promise<void> {
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
