// `npm run bench:acls`: what the ACL authorizer pays per request to find the
// bindings that apply to a resource (AclStore.matching), against the
// alternative of scanning every binding with the MATCH filter (acl-filter.ts).
//
// A store of BENCH_ACLS_LITERAL literal topic bindings (one per topic name),
// BENCH_ACLS_PREFIXED prefixed ones (`team-<i>.`), a `*` binding, and as many
// group bindings again, asked about:
//   literal hit     a topic named by a literal binding and by one prefix
//   prefix only     a topic only a prefix (and `*`) covers
//   no binding      a topic of another type's store (nothing applies: no allocation)
//
// Each figure is the best of BENCH_ACLS_ROUNDS runs (the machine is shared). Prints
// a table and appends a summary to bench/RESULTS.md.
// Options (env): BENCH_ACLS_LITERAL (default 10000), BENCH_ACLS_PREFIXED (default 100),
// BENCH_ACLS_MS (time per run, default 300), BENCH_ACLS_ROUNDS (default 5).

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AclBinding, type AclResource, ALL_BINDINGS, AclOperation, AclPatternType, AclPermissionType, AclResourceType } from '../src/broker/acl/acl-binding.js';
import { filterMatches } from '../src/broker/acl/acl-filter.js';
import { AclStore } from '../src/broker/acl/acl-store.js';
import { timeCalls } from './micro.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: number) => Number(process.env[name] ?? def);
const LITERAL = env('BENCH_ACLS_LITERAL', 10_000);
const PREFIXED = env('BENCH_ACLS_PREFIXED', 100);
const CASE_MS = env('BENCH_ACLS_MS', 300);
const ROUNDS = env('BENCH_ACLS_ROUNDS', 5);

const binding = (resourceType: number, resourceName: string, patternType: number): AclBinding => ({
  resourceType,
  resourceName,
  patternType,
  principal: 'User:app',
  host: '*',
  operation: AclOperation.READ,
  permissionType: AclPermissionType.ALLOW,
});

const store = AclStore.open(null);
const all: AclBinding[] = [];
for (const type of [AclResourceType.TOPIC, AclResourceType.GROUP]) {
  for (let i = 0; i < LITERAL; i++) all.push(binding(type, `team-${i % PREFIXED}.topic-${i}`, AclPatternType.LITERAL));
  for (let i = 0; i < PREFIXED; i++) all.push(binding(type, `team-${i}.`, AclPatternType.PREFIXED));
  all.push(binding(type, '*', AclPatternType.LITERAL));
}
store.create(all);

/** The alternative: every binding checked with the MATCH filter of the resource. */
function scan(r: AclResource): AclBinding[] {
  const filter = { ...ALL_BINDINGS, resourceType: r.resourceType, resourceName: r.name, patternType: AclPatternType.MATCH };
  return all.filter((b) => filterMatches(filter, b));
}

/** Microseconds per call: the best of ROUNDS runs. */
const best = (inputs: AclResource[], fn: (r: AclResource) => unknown) => Math.min(...Array.from({ length: ROUNDS }, () => timeCalls(inputs, (r) => void fn(r), CASE_MS)));

const topics = (names: (i: number) => string) => Array.from({ length: 100 }, (_, i): AclResource => ({ resourceType: AclResourceType.TOPIC, name: names(i * 97) }));
const cases: [string, AclResource[]][] = [
  ['literal hit', topics((i) => `team-${i % PREFIXED}.topic-${i}`)],
  ['prefix only', topics((i) => `team-${i % PREFIXED}.other-${i}`)],
  ['no binding', topics((i) => `team-${i}`).map((r) => ({ ...r, resourceType: AclResourceType.CLUSTER }))],
];
const rows = cases.map(([name, inputs]) => ({ case: name, found: store.matching(inputs[0]).length, matchingUs: best(inputs, (r) => store.matching(r)), scanUs: best(inputs, scan) }));
console.table(rows);

const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
fs.appendFileSync(
  path.join(ROOT, 'bench/RESULTS.md'),
  `\n## ${new Date().toISOString().slice(0, 10)} ${commit} ACL bindings that apply to a resource (${process.version}, ${os.cpus().length} cores)\n` +
    `A store of ${all.length} bindings (${LITERAL} literal and ${PREFIXED} prefixed per type, topics and groups, and \`*\`); AclStore.matching against a scan with the MATCH filter:\n` +
    rows.map((r) => `- ${r.case} (${r.found} found): matching ${r.matchingUs.toFixed(3)} µs, scan ${r.scanUs.toFixed(1)} µs`).join('\n') +
    '\n',
);
