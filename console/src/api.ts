// The broker's HTTP API as the console calls it: JSON in and out, records as
// JSON lines, the bearer token on every call when the broker asks for one, and
// the API's error body turned into an ApiError the pages show as it came.

export interface ConsoleConfig {
  writes: boolean;
  tokenRequired: boolean;
  /** User:<name> when the browser logged in with HTTP Basic (--http-auth basic); User:ANONYMOUS otherwise. */
  principal: string;
  nodeId: number;
  kafkaListener: string;
  /** Optional routes by name (history, offsetReset, redrive): served or not. */
  routes: Record<string, boolean>;
}

/** One line of GET /topics/{t}/records. */
export interface RecordLine {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  keyEncoding?: 'base64';
  value: string | null;
  valueEncoding?: 'base64';
  headers: Record<string, string | null>;
}

export interface RecordPage {
  records: RecordLine[];
  /** Where the next read goes on from (sluice-next-offset). */
  nextOffset: number;
  highWatermark: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export type RecordsFrom = { offset: number } | { time: number };

export class Api {
  /** `onUnauthorized` runs when the broker refuses the token (401), so the page can ask for it again. */
  constructor(
    private readonly token: string | null,
    private readonly onUnauthorized: () => void,
  ) {}

  /** Whether calls carry a bearer token (a browser's EventSource cannot send one). */
  get hasToken(): boolean {
    return this.token !== null;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown): Promise<T> {
    return this.call<T>(method, path, body);
  }

  async records(topic: string, partition: number, from: RecordsFrom, limit: number): Promise<RecordPage> {
    const query = new URLSearchParams({ partition: String(partition), limit: String(limit) });
    if ('offset' in from) query.set('offset', String(from.offset));
    else query.set('time', String(from.time));
    const response = await this.fetch('GET', `/topics/${encodeURIComponent(topic)}/records?${query}`);
    const text = await response.text();
    return {
      records: text === '' ? [] : text.trimEnd().split('\n').map((line) => JSON.parse(line) as RecordLine),
      nextOffset: Number(response.headers.get('sluice-next-offset')),
      highWatermark: Number(response.headers.get('sluice-high-watermark')),
    };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body);
    return (await response.json()) as T;
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.ok) return response;
    if (response.status === 401) this.onUnauthorized();
    const error = await response.json().catch(() => null);
    const e = error?.error;
    throw new ApiError(response.status, e?.code ?? 'HTTP_' + response.status, e?.message ?? response.statusText, e?.hint);
  }
}

/** GET /console/config, open without the token. */
export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/console/config');
  if (!response.ok) throw new ApiError(response.status, 'HTTP_' + response.status, 'the broker did not answer /console/config');
  return (await response.json()) as ConsoleConfig;
}

export function topicPath(topic: string): string {
  return `/topics/${encodeURIComponent(topic)}`;
}

export function groupPath(group: string): string {
  return `/groups/${encodeURIComponent(group)}`;
}

export function queuePath(group: string): string {
  return `/queues/${encodeURIComponent(group)}`;
}
