// GET /metrics read the way Prometheus reads it (parse-prometheus-text-format),
// with look-ups by metric name and labels:
//
//   const m = await scrapeMetrics(api);
//   assert.equal(m.value('sluice_records_in_total', { topic: 'orders' }), 10);

import assert from 'node:assert/strict';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import type { HttpApiBroker } from './http-api.js';

export class Scrape {
  constructor(readonly families: MetricFamily[]) {}

  family(name: string): MetricFamily | undefined {
    return this.families.find((f) => f.name === name);
  }

  /** The samples of `name` whose labels include `labels`. */
  samples(name: string, labels: Record<string, string> = {}): { value: string; labels?: Record<string, string> }[] {
    const family = this.family(name);
    assert.ok(family, `no metric ${name}`);
    return family.metrics.filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  }

  /** The value of the one sample of `name` with `labels`; 0 when there is none (a counter not yet moved). */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples(name, labels);
    assert.ok(found.length <= 1, `${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
    return found.length === 0 ? 0 : Number(found[0].value);
  }
}

export async function scrapeMetrics(api: HttpApiBroker): Promise<Scrape> {
  const answer = await api.call('GET', '/metrics');
  assert.equal(answer.status, 200);
  return new Scrape(parsePrometheusTextFormat(answer.text));
}
