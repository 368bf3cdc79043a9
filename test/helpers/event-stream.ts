// A Server-Sent Events reader over real HTTP, for the stream routes. It uses
// node:http with a connection of its own (no agent): fetch's pool opens a
// spare connection when a streamed body is aborted, and the server then waits
// for that connection's request at close.
//
//   const events = await openEventStream(t, `${api.base}/topics/t/stream?partition=0`);
//   const first = await events.next();   // { id, event, data, comments }
//
// Comment lines (heartbeats) are collected in `comments`; `ended` resolves
// when the server ends the stream.

import { once } from 'node:events';
import http from 'node:http';
import type { TestContext } from 'node:test';

export interface ServerSentEvent {
  id?: string;
  event?: string;
  data: string;
}

export interface EventStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The next event; rejects if the stream ends first. */
  next(): Promise<ServerSentEvent>;
  /** Comment lines received so far (heartbeats). */
  readonly comments: string[];
  /** Resolves once `condition` holds after some input; rejects if the stream ends first. */
  until(condition: () => boolean): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openEventStream(t: TestContext, url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } });
  t.after(() => request.destroy());
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  const events: ServerSentEvent[] = [];
  const comments: string[] = [];
  let wake: () => void = () => {};
  let done = false;
  let buffered = '';
  const onBlock = (block: string) => {
    const event: ServerSentEvent = { data: '' };
    let hasField = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else {
        const colon = line.indexOf(':');
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data += (event.data === '' ? '' : '\n') + value;
        else if (field === 'id' || field === 'event') event[field] = value;
        hasField = true;
      }
    }
    if (hasField) events.push(event);
  };
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          onBlock(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
        }
        wake();
      }
    } catch {
      // destroyed by close()
    }
    done = true;
    wake();
  })();
  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) {
      if (done) throw new Error('the event stream ended');
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    status: response.statusCode!,
    headers: response.headers,
    comments,
    ended,
    until,
    async next() {
      await until(() => events.length > 0);
      return events.shift()!;
    },
    close: () => request.destroy(),
  };
}
