// What the message browser matches records on: substrings of the key, of the
// value, and of a header written `name=value` (either side may be left out:
// `trace=` matches any record with a trace header).

import type { RecordLine } from './api.js';

export interface RecordFilter {
  key: string;
  value: string;
  header: string;
}

export function isEmptyFilter(f: RecordFilter): boolean {
  return f.key === '' && f.value === '' && f.header === '';
}

function headerMatches(headers: RecordLine['headers'], wanted: string): boolean {
  const eq = wanted.indexOf('=');
  const name = eq === -1 ? wanted : wanted.slice(0, eq);
  const value = eq === -1 ? null : wanted.slice(eq + 1);
  return Object.entries(headers).some(([n, v]) => n.includes(name) && (value === null || (v ?? '').includes(value)));
}

export function matches(r: RecordLine, f: RecordFilter): boolean {
  return (f.key === '' || (r.key ?? '').includes(f.key)) && (f.value === '' || (r.value ?? '').includes(f.value)) && (f.header === '' || headerMatches(r.headers, f.header));
}
