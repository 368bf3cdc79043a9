// A broker in this process with its HTTP API on a free port, and a small
// client for it over real HTTP (fetch, i.e. undici):
//
//   const api = await startHttpApiBroker(t, { httpWrites: true });
//   const created = await api.call('POST', '/topics', { name: 'orders' });
//   assert.equal(created.status, 201);

import type { TestContext } from 'node:test';
import type { StartOptions } from '../../src/start-broker.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { freePort } from './free-port.js';
import { startInProcessBroker } from './in-process-broker.js';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface HttpApiBroker {
  broker: RunningBroker;
  /** "http://127.0.0.1:<port>" */
  base: string;
  /** Sends `body` as JSON (a string is sent as is, as application/json); a Buffer as application/octet-stream. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
}

export async function httpCall(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (Buffer.isBuffer(body)) {
    init.body = new Uint8Array(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/octet-stream';
  } else if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(base + path, init);
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function startHttpApiBroker(t: TestContext, options: StartOptions = {}): Promise<HttpApiBroker> {
  const broker = await startInProcessBroker(t, { httpPort: await freePort(), ...options });
  const base = `http://127.0.0.1:${broker.httpPort}`;
  return { broker, base, call: (method, path, body, headers) => httpCall(base, method, path, body, headers) };
}
