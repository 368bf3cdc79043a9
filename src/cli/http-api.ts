// What the CLI asks the broker's HTTP API for, where the Kafka protocol has no
// answer (the corrupt offset ranges storage found). The API's address is
// --http, else port 8080 on the first bootstrap host (`sluice serve`'s
// default); a broker without the API still gets the rest of the report and a
// note saying how to turn it on.

import { type Command, Option } from 'commander';
import { parseBootstrap } from '../client/bootstrap.js';
import type { ClientFlags } from './client-options.js';

/** `sluice serve`'s default --http-port. */
const DEFAULT_HTTP_PORT = 8080;
/** A local API answers at once; past this the report goes on without it (ms). */
const HTTP_TIMEOUT_MS = 5000;

export interface HttpFlags extends ClientFlags {
  http?: string;
  httpToken?: string;
}

export function addHttpOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--http <url>', `the broker's HTTP API (default: http://<first bootstrap host>:${DEFAULT_HTTP_PORT})`).env('SLUICE_HTTP'))
    .addOption(new Option('--http-token <token>', "bearer token of the broker's HTTP API, if it asks for one").env('SLUICE_HTTP_TOKEN'));
}

export function httpBase(flags: HttpFlags): string {
  if (flags.http) return flags.http.replace(/\/+$/, '');
  const [first] = parseBootstrap(flags.bootstrap);
  // An IPv6 address needs its brackets in a URL; a bootstrap address may already carry them.
  const host = first.host.includes(':') && !first.host.startsWith('[') ? `[${first.host}]` : first.host;
  return `http://${host}:${DEFAULT_HTTP_PORT}`;
}

export type HttpAnswer<T> = { ok: true; body: T } | { ok: false; reason: string };

/** GET `path` of the API as JSON; a failure of any kind is a reason, never a throw. */
export async function getFromHttpApi<T>(flags: HttpFlags, path: string): Promise<HttpAnswer<T>> {
  const url = httpBase(flags) + path;
  try {
    const response = await fetch(url, {
      headers: flags.httpToken ? { authorization: `Bearer ${flags.httpToken}` } : {},
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
    const body = (await response.json()) as T & { error?: { code: string; message: string } };
    if (!response.ok) return { ok: false, reason: `${url} answered ${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}` };
    return { ok: true, body };
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    return { ok: false, reason: `${url} did not answer (${cause?.message ?? (err as Error).message})` };
  }
}

/** The note printed when the API could not be asked. */
export function httpApiNote(what: string, reason: string): string {
  return `note: ${what} not shown: ${reason}\nhint: the broker serves its HTTP API on --http-port (sluice serve: ${DEFAULT_HTTP_PORT}; 0 turns it off); pass its address with --http <url>\n`;
}
