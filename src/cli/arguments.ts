// Parsers for option values, shaped for commander's argParser: each throws
// InvalidArgumentError so commander names the flag and exits with code 1.

import { InvalidArgumentError } from 'commander';

/** An integer from `min` up; the message says which range was expected. */
export function integerArg(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(min === 0 ? 'must be an integer of 0 or more.' : `must be an integer of ${min} or more.`);
    }
    return n;
  };
}

/** Splits "key=value" at the first '='; the value may itself contain '='. */
export function parseKeyValue(value: string): [string, string] {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}".`);
  return [value.slice(0, i), value.slice(i + 1)];
}

/** argParser for a repeatable key=value flag: collects every occurrence in order. */
export function collectKeyValue(value: string, previous: [string, string][] | undefined): [string, string][] {
  return [...(previous ?? []), parseKeyValue(value)];
}

/** argParser for a repeatable flag: collects every occurrence in order. */
export function collectString(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function nonEmptyArg(value: string): string {
  if (value === '') throw new InvalidArgumentError('must not be empty.');
  return value;
}

/** ISO 8601 (as Date.parse reads it) or plain milliseconds since the epoch. */
export function timeArg(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidArgumentError('expected an ISO 8601 time such as 2026-01-31T12:00:00Z, or ms since the epoch.');
  return ms;
}
