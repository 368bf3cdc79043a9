// Prometheus metrics whose values are read from their owners when scraped,
// not pushed: the broker keeps plain numbers (counters, sizes) and pays
// nothing for being observed. Each series set is rebuilt at every scrape, so
// a topic or group that is gone stops being reported.

import { Counter, Gauge, type Registry } from 'prom-client';

export type Labels = Record<string, string | number>;

export interface ScrapedMetric {
  name: string;
  help: string;
  labelNames?: string[];
  /** Every series now: its labels and value. */
  read(): Iterable<[Labels, number]>;
}

/** A metric's configuration whose collect() rebuilds every series from `m.read()`, written by `write`. */
function rebuiltAtScrape<M extends { reset(): void }>(registry: Registry, m: ScrapedMetric, write: (metric: M, labels: Labels, value: number) => void) {
  return {
    name: m.name,
    help: m.help,
    labelNames: m.labelNames ?? [],
    registers: [registry],
    collect(this: M) {
      this.reset();
      for (const [labels, value] of m.read()) write(this, labels, value);
    },
  };
}

export function scrapedCounter(registry: Registry, m: ScrapedMetric): void {
  new Counter(rebuiltAtScrape<Counter>(registry, m, (counter, labels, value) => counter.inc(labels, value)));
}

export function scrapedGauge(registry: Registry, m: ScrapedMetric): void {
  new Gauge(rebuiltAtScrape<Gauge>(registry, m, (gauge, labels, value) => gauge.set(labels, value)));
}
