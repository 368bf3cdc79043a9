// What the CLI asks the broker's HTTP API for, where the Kafka protocol has no
// answer (the corrupt offset ranges storage found). The API's address is
// --http, else port 8080 on the first bootstrap host (`sluice serve`'s
// default); a broker without the API still gets the rest of the report and a
// note saying how to turn it on. It is asked with --http-token, else as the
// SASL user of --command-config (HTTP Basic, for a broker with --http-auth basic).

import { type Command, Option } from 'commander';
import { parseBootstrap } from '../client/bootstrap.js';
import type { ClientFlags } from './client-options.js';
import { readClientSecurity } from './command-config.js';

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

/** The Authorization header the API is asked with, if any. */
function authorizationOf(flags: HttpFlags): Record<string, string> {
  if (flags.httpToken) return { authorization: `Bearer ${flags.httpToken}` };
  const sasl = readClientSecurity(flags.commandConfig, process.env).sasl;
  return sasl ? { authorization: `Basic ${Buffer.from(`${sasl.username}:${sasl.password}`).toString('base64')}` } : {};
}

export type HttpAnswer<T> = { ok: true; body: T } | { ok: false; reason: string };

/** GET `path` of the API as JSON; a failure to reach it is a reason, never a throw (a --command-config that cannot be read still throws). */
export async function getFromHttpApi<T>(flags: HttpFlags, path: string): Promise<HttpAnswer<T>> {
  const url = httpBase(flags) + path;
  const headers = authorizationOf(flags);
  try {
    const response = await fetch(url, {
      headers,
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
