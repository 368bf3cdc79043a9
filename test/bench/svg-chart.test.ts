// The benchmark charts are files people open in a browser: they must be
// well-formed XML, put points where a log axis says, and escape text.

import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineChart, niceMax } from '../../bench/svg-chart.js';

/** Parses with Python's XML parser (a real one, not ours) and returns the root element's name. */
function parseXml(svg: string): string {
  return execFileSync('/usr/bin/python3', ['-c', 'import sys, xml.dom.minidom; print(xml.dom.minidom.parseString(sys.stdin.buffer.read()).documentElement.tagName)'], { input: svg }).toString().trim();
}

const spec = {
  title: 'throughput & p99 <by partitions>',
  xLabel: 'partitions',
  xLog: true,
  left: { label: 'records/s', series: { name: 'produce "records/s"', points: [1, 10, 100].map((x) => ({ x, y: 1000 })) } },
  right: { label: 'p99 ms', series: { name: 'p99', points: [{ x: 100, y: 3 }, { x: 1, y: 1 }, { x: 10, y: 2 }] } },
};

test('a two-axis chart is well-formed SVG with escaped text', () => {
  const svg = lineChart(spec);
  assert.equal(parseXml(svg), 'svg');
  assert.match(svg, /throughput &amp; p99 &lt;by partitions&gt;/);
  assert.match(svg, /produce &quot;records\/s&quot;/);
  assert.equal(svg.match(/<polyline /g)?.length, 2);
});

test('a log x axis puts 10 halfway between 1 and 100', () => {
  const svg = lineChart({ ...spec, right: undefined });
  const line = /<polyline [^>]*points="([^"]+)"/.exec(svg)![1];
  const [x1, x10, x100] = line.split(' ').map((p) => Number(p.split(',')[0]));
  assert.ok(x1 < x10 && x10 < x100);
  assert.ok(Math.abs(x10 - (x1 + x100) / 2) <= 0.1, `${x1} ${x10} ${x100}`);
});

test('points are drawn in x order whatever order they come in', () => {
  const svg = lineChart(spec);
  const right = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)][1][1];
  const xs = right.split(' ').map((p) => Number(p.split(',')[0]));
  assert.deepEqual(xs, [...xs].sort((a, b) => a - b));
});

test('a log x axis refuses x = 0 and an empty chart is refused', () => {
  assert.throws(() => lineChart({ ...spec, left: { label: 'y', series: { name: 's', points: [{ x: 0, y: 1 }] } }, right: undefined }), /x > 0/);
  assert.throws(() => lineChart({ ...spec, left: { label: 'y', series: { name: 's', points: [] } }, right: undefined }), /no points/);
});

test('the y axis tops out at a round value at or above the largest point', () => {
  assert.equal(niceMax(0), 1);
  assert.equal(niceMax(1000), 1000);
  assert.equal(niceMax(1001), 2000);
  assert.equal(niceMax(3.2), 5);
  assert.equal(niceMax(0.07), 0.1);
});
