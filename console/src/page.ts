// What every page is given: the API, what the broker allows, and a signal that
// aborts when the user leaves the page (its timers and scans stop on it).

import { type Api, ApiError, type ConsoleConfig } from './api.js';
import { h } from './dom.js';

export interface PageContext {
  api: Api;
  config: ConsoleConfig;
  signal: AbortSignal;
}

/** Renders into `view` (a fresh element per visit); `params` are the route's decoded parts. */
export type Page = (view: HTMLElement, ctx: PageContext, ...params: string[]) => Promise<void>;

/** An error as the API gave it: message and hint. */
export function errorBox(err: unknown): HTMLElement {
  if (err instanceof ApiError) return h('div', { class: 'error' }, h('strong', {}, err.code), ' ', err.message, err.hint ? h('div', { class: 'hint' }, err.hint) : null);
  return h('div', { class: 'error' }, err instanceof Error ? err.message : String(err));
}

/** Runs `tick` now and then every `ms` until the page is left; a tick never overlaps the previous one. */
export function every(ms: number, signal: AbortSignal, tick: () => Promise<void>): void {
  const run = async (): Promise<void> => {
    if (signal.aborted) return;
    await tick();
    if (!signal.aborted) setTimeout(() => void run(), ms);
  };
  void run();
}
