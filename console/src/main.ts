// The console's entry: learns what the broker allows (GET /console/config),
// asks for the token once when one is needed (kept for the browser tab's
// session), then shows the page the URL's hash names.

import './style.css';
import { Api, type ConsoleConfig, loadConsoleConfig } from './api.js';
import { h, replaceChildren } from './dom.js';
import { errorBox } from './page.js';
import { browsePage } from './pages/browse.js';
import { chartsPage } from './pages/charts.js';
import { groupPage } from './pages/group.js';
import { groupsPage } from './pages/groups.js';
import { overviewPage } from './pages/overview.js';
import { producePage } from './pages/produce.js';
import { queuePage, queuesPage } from './pages/queues.js';
import { tailPage } from './pages/tail.js';
import { topicPage } from './pages/topic.js';
import { topicsPage } from './pages/topics.js';
import { type Route, startRouter } from './router.js';

const TOKEN_KEY = 'sluice-token';

const ROUTES: Route[] = [
  { pattern: /^\/$/, page: overviewPage },
  { pattern: /^\/topics$/, page: topicsPage },
  { pattern: /^\/topics\/([^/]+)$/, page: topicPage },
  { pattern: /^\/browse\/topics\/([^/]+)$/, page: browsePage },
  { pattern: /^\/tail\/topics\/([^/]+)$/, page: tailPage },
  { pattern: /^\/produce\/topics\/([^/]+)$/, page: producePage },
  { pattern: /^\/groups$/, page: groupsPage },
  { pattern: /^\/groups\/([^/]+)$/, page: groupPage },
  { pattern: /^\/queues$/, page: queuesPage },
  { pattern: /^\/queues\/([^/]+)$/, page: queuePage },
  { pattern: /^\/charts$/, page: chartsPage },
];

const NAV: [path: string, label: string][] = [
  ['/', 'Overview'],
  ['/topics', 'Topics'],
  ['/groups', 'Groups'],
  ['/queues', 'Queues'],
  ['/charts', 'Charts'],
];

function el(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html lacks #${id}`);
  return found;
}

/** Shows the token form; resolves with what the user typed. */
function askToken(view: HTMLElement, refused: boolean): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true });
    const form = h(
      'form',
      { id: 'token-form', class: 'inline' },
      h('label', {}, h('span', {}, 'Token'), input),
      h('button', { type: 'submit' }, 'Sign in'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      resolve(input.value);
    });
    replaceChildren(view, h('h1', {}, 'Sign in'), h('p', {}, refused ? 'The broker refused that token; try again.' : 'This broker asks for its HTTP token (--http-token).'), form);
    input.focus();
  });
}

function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

async function tokenOf(config: ConsoleConfig, view: HTMLElement): Promise<string | null> {
  if (!config.tokenRequired) return null;
  let token = sessionStorage.getItem(TOKEN_KEY);
  for (let refused = false; ; refused = true) {
    token ??= await askToken(view, refused);
    // Any read proves the token; /topics?limit=1 is the cheapest.
    const probe = await fetch('/topics?limit=1', { headers: { authorization: `Bearer ${token}` } });
    if (probe.status !== 401) break;
    token = null;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  return token;
}

async function main(): Promise<void> {
  const view = el('view');
  try {
    const config = await loadConsoleConfig();
    const token = await tokenOf(config, view);
    const api = new Api(token, signOut);
    el('mode').textContent = config.writes ? 'read-write' : 'read-only';
    const nav = el('nav');
    nav.append(...NAV.map(([path, label]) => h('a', { href: `#${path}`, 'data-path': path }, label)));
    if (token !== null) nav.append(h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'));
    // With --http-auth basic the browser asked for the user (the page itself needs the login) and sends it on every request.
    if (config.principal !== 'User:ANONYMOUS') nav.append(h('span', { class: 'principal' }, config.principal.replace(/^User:/, '')));
    startRouter(view, ROUTES, { api, config }, (path) => {
      for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', path === a.dataset.path || (a.dataset.path !== '/' && path.includes(a.dataset.path ?? '')));
    });
  } catch (err) {
    replaceChildren(view, errorBox(err));
  }
}

void main();
