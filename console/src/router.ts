// Routes in the URL's hash (#/topics/orders), so the broker serves one page
// and a reload or a shared link lands where it was. Each visit renders into a
// fresh element and aborts the previous page's signal, stopping its timers.

import type { Page, PageContext } from './page.js';

export interface Route {
  /** Matched against the hash without '#'; groups are the page's params (URL-decoded). */
  pattern: RegExp;
  page: Page;
}

export function startRouter(view: HTMLElement, routes: Route[], context: Omit<PageContext, 'signal'>, onNavigate: (path: string) => void): void {
  let current: AbortController | null = null;
  const show = (): void => {
    current?.abort();
    current = new AbortController();
    const path = location.hash.replace(/^#/, '') || '/';
    const target = document.createElement('div');
    view.replaceChildren(target);
    onNavigate(path);
    for (const { pattern, page } of routes) {
      const match = pattern.exec(path);
      if (match) {
        void page(target, { ...context, signal: current.signal }, ...match.slice(1).map(decodeURIComponent));
        return;
      }
    }
    target.textContent = `No page at ${path}.`;
  };
  window.addEventListener('hashchange', show);
  show();
}
