// share.auto.offset.reset (KIP-932, KIP-1106): where a share group starts
// reading a partition it has no state for. `earliest`, `latest`, or
// `by_duration:<ISO-8601 duration>` (the first record whose timestamp is at
// or after now minus the duration). Durations are read as Java's
// Duration.parse reads them, which Kafka uses: PnDTnHnMn.nS, any part left
// out, case-insensitive, signs allowed but the whole not negative.

export type ShareAutoOffsetReset = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'by_duration'; durationMs: number };

const BY_DURATION = 'by_duration:';
const DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1000];

/** The strategy `value` names, or why it names none. */
export function parseShareAutoOffsetReset(value: string): { reset: ShareAutoOffsetReset } | { problem: string } {
  if (value === 'earliest' || value === 'latest') return { reset: { kind: value } };
  if (!value.startsWith(BY_DURATION)) return { problem: 'must be earliest, latest or by_duration:<ISO-8601 duration> (such as by_duration:PT1H or by_duration:P7D)' };
  const text = value.slice(BY_DURATION.length);
  const m = DURATION.exec(text);
  // "P", "PT" and "P1DT" match the pattern but name no duration.
  if (!m || m.slice(2, 6).every((part) => part === undefined) || /T$/i.test(text)) {
    return { problem: `has "${text}" after by_duration:, which is no ISO-8601 duration (PnDTnHnMn.nS, such as PT1H or P7D)` };
  }
  const [days, hours, minutes, seconds] = m.slice(2, 6).map((part) => Number(part ?? 0));
  const secondsSign = m[5]?.startsWith('-') ? -1 : 1;
  const fractionMs = m[6] ? secondsSign * Math.trunc(Number(`0.${m[6]}`) * 1000) : 0;
  const durationMs = (m[1] === '-' ? -1 : 1) * ([days, hours, minutes, seconds].reduce((sum, n, i) => sum + n * UNIT_MS[i], 0) + fractionMs);
  if (durationMs < 0) return { problem: 'has a negative duration after by_duration:, which is not supported' };
  if (!Number.isSafeInteger(durationMs)) return { problem: 'has a duration after by_duration: too long to count in milliseconds' };
  return { reset: { kind: 'by_duration', durationMs } };
}
