// How each broker option's value is read: from a flag, an environment
// variable or the JSON config file it may arrive as a string, so numbers,
// booleans and lists are parsed here, and a value out of range or of the wrong
// kind is a ConfigError that names the option and what it got.

import net from 'node:net';
import { ConfigError } from './errors.js';

export function integer(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** `ip:count,...` (an IPv6 address before its last colon) or an object of them; counts from 0. */
export function ipCounts(name: string, v: unknown): Record<string, number> {
  const pairs = typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '').map((x) => [x.slice(0, x.lastIndexOf(':')), x.slice(x.lastIndexOf(':') + 1)]) : Object.entries(v ?? {});
  const counts: Record<string, number> = {};
  for (const [ip, count] of pairs) {
    if (net.isIP(ip) === 0) throw new ConfigError(`${name} must list client addresses as ip:count, got ${JSON.stringify(ip)} in ${JSON.stringify(v)}`);
    counts[ip] = integer(`${name} of ${ip}`, count, 0, 2 ** 31 - 1);
  }
  return counts;
}

/** A positive limit, or -1 for none. */
export function limitOrOff(name: string, v: unknown): number {
  const n = integer(name, v, -1);
  if (n === 0) throw new ConfigError(`${name} must be -1 (no limit) or positive, got 0`);
  return n;
}

export function boolean(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(v)}`);
}

/** A non-empty list of names from `known`, given as an array or a comma-separated string. */
export function nameList(name: string, v: unknown, known: readonly string[]): string[] {
  const items = typeof v === 'string' ? v.split(',').map((x) => x.trim()) : v;
  if (!Array.isArray(items) || items.length === 0 || !items.every((x) => known.includes(x))) {
    throw new ConfigError(`${name} must be a non-empty list of ${known.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return items as string[];
}

export function oneOf<T extends string>(name: string, v: unknown, known: readonly T[]): T {
  if (!known.includes(v as T)) throw new ConfigError(`${name} must be one of ${known.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Principals `User:<name>`, given as an array or a string split at commas or semicolons. */
export function principalList(name: string, v: unknown): string[] {
  const items = typeof v === 'string' ? v.split(/[,;]/).map((x) => x.trim()).filter((x) => x !== '') : v;
  if (!Array.isArray(items) || !items.every((x) => typeof x === 'string' && /^User:.+/.test(x))) {
    throw new ConfigError(`${name} must list principals as User:<name>, got ${JSON.stringify(v)}`);
  }
  return items as string[];
}

/** A list of URLs, given as an array or a comma-separated string; each must parse. */
export function urlList(name: string, v: unknown): string[] {
  const items = typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '') : v;
  if (!Array.isArray(items) || !items.every((x) => typeof x === 'string' && URL.canParse(x))) {
    throw new ConfigError(`${name} must be a list of URLs such as http://127.0.0.1:2379, got ${JSON.stringify(v)}`);
  }
  return items as string[];
}
