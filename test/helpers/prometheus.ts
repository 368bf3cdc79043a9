// GET /metrics read the way Prometheus reads it (parse-prometheus-text-format),
// with look-ups by metric name and labels:
//
//   const m = await scrapeMetrics(api);
//   assert.equal(m.value('sluice_records_in_total', { topic: 'orders' }), 10);
//   assert.equal(m.value('sluice_request_duration_seconds_count', { api: 'Produce' }), 3);
//
// The parser folds every series of a histogram into one and drops their labels,
// so a histogram's HELP and TYPE lines are taken out before parsing: its
// `_bucket`, `_sum` and `_count` series then read as families of their own,
// labels kept. `histograms` names the histograms the text declared.

import assert from 'node:assert/strict';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import type { HttpApiBroker } from './http-api.js';

export class Scrape {
  constructor(
    readonly families: MetricFamily[],
    readonly histograms: Set<string>,
  ) {}

  family(name: string): MetricFamily | undefined {
    return this.families.find((f) => f.name === name);
  }

  /** The samples of `name` whose labels include `labels` (a histogram's series come as one family per label set). */
  samples(name: string, labels: Record<string, string> = {}): { value: string; labels?: Record<string, string> }[] {
    const families = this.families.filter((f) => f.name === name);
    assert.ok(families.length > 0, `no metric ${name}`);
    return families.flatMap((f) => f.metrics).filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  }

  /** The value of the one sample of `name` with `labels`; 0 when there is none (a counter not yet moved). */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples(name, labels);
    assert.ok(found.length <= 1, `${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
    return found.length === 0 ? 0 : Number(found[0].value);
  }
}

export async function scrapeMetrics(api: Pick<HttpApiBroker, 'call'>): Promise<Scrape> {
  const answer = await api.call('GET', '/metrics');
  assert.equal(answer.status, 200);
  const histograms = new Set(Array.from(answer.text.matchAll(/^# TYPE (\S+) histogram$/gm), (m) => m[1]));
  const declaresHistogram = (line: string) => /^# (HELP|TYPE) /.test(line) && histograms.has(line.split(' ')[2]);
  const text = answer.text.split('\n').filter((line) => !declaresHistogram(line)).join('\n');
  return new Scrape(parsePrometheusTextFormat(text), histograms);
}
