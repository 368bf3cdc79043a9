// share.auto.offset.reset values as Kafka reads them (KIP-1106): earliest,
// latest, and by_duration with an ISO-8601 duration as Java's Duration.parse
// reads it; everything else is refused with a message saying what is wrong.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateGroupConfigs } from '../../src/metadata/group-configs.js';
import { parseShareAutoOffsetReset } from '../../src/metadata/share-auto-offset-reset.js';

const durationMs = (value: string) => {
  const parsed = parseShareAutoOffsetReset(value);
  return 'reset' in parsed && parsed.reset.kind === 'by_duration' ? parsed.reset.durationMs : parsed;
};

test('by_duration reads days, hours, minutes and fractional seconds, in either case, signs netting out non-negative', () => {
  assert.equal(durationMs('by_duration:PT1H'), 3_600_000);
  assert.equal(durationMs('by_duration:P7D'), 7 * 86_400_000);
  assert.equal(durationMs('by_duration:P1DT2H3M4.5S'), 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4500);
  assert.equal(durationMs('by_duration:pt30m'), 1_800_000);
  assert.equal(durationMs('by_duration:PT0,25S'), 250);
  assert.equal(durationMs('by_duration:PT1H-30M'), 1_800_000);
  assert.equal(durationMs('by_duration:PT0S'), 0);
  assert.deepEqual(parseShareAutoOffsetReset('earliest'), { reset: { kind: 'earliest' } });
  assert.deepEqual(parseShareAutoOffsetReset('latest'), { reset: { kind: 'latest' } });
});

test('values that name no strategy or no duration are refused, each with what is wrong', () => {
  const problems: [string, RegExp][] = [
    ['newest', /must be earliest, latest or by_duration:<ISO-8601 duration>/],
    ['by_duration:1h', /"1h" after by_duration:, which is no ISO-8601 duration/],
    ['by_duration:P', /no ISO-8601 duration/],
    ['by_duration:PT', /no ISO-8601 duration/],
    ['by_duration:P1DT', /no ISO-8601 duration/],
    ['by_duration:', /no ISO-8601 duration/],
    ['by_duration:-PT1H', /negative duration/],
    ['by_duration:PT-1S', /negative duration/],
    ['by_duration:P99999999999999999D', /too long/],
  ];
  for (const [value, message] of problems) {
    const parsed = parseShareAutoOffsetReset(value);
    assert.ok('problem' in parsed && message.test(parsed.problem), `${value}: ${JSON.stringify(parsed)}`);
  }
  assert.match(validateGroupConfigs({ 'share.auto.offset.reset': 'by_duration:1h' })!, /^share\.auto\.offset\.reset has "1h" after by_duration:.*, got "by_duration:1h"$/);
  assert.equal(validateGroupConfigs({ 'share.auto.offset.reset': 'by_duration:PT1H' }), null);
});
