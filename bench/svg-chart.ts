// A line chart as a standalone SVG document, for benchmark curves read beside
// bench/RESULTS.md. The x axis is logarithmic (the curves step by factors of
// ten) or linear; one series is drawn against the left y axis and an optional
// second against the right one, so throughput and p99 share a chart.
//
//   left label ┌──────────────────────┐ right label
//        max ──┤  ●──●──●             ├── max
//              │          ╲           │
//          0 ──┤  ■──■──■──■──■       ├── 0
//              └──┬───────┬───────┬───┘
//                 1      100    10,000   x label (log)

export interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  /** Logarithmic x axis: every x must be > 0. */
  xLog: boolean;
  left: { label: string; series: ChartSeries };
  right?: { label: string; series: ChartSeries };
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { top: 56, right: 80, bottom: 56, left: 80 };
const COLOURS = ['#1f77b4', '#d62728'];
const Y_TICKS = 5;

export function lineChart(spec: LineChartSpec): string {
  const all = [spec.left.series, ...(spec.right ? [spec.right.series] : [])].flatMap((s) => s.points);
  if (all.length === 0) throw new Error(`chart "${spec.title}" has no points`);
  if (spec.xLog && all.some((p) => p.x <= 0)) throw new Error(`chart "${spec.title}": a log x axis needs x > 0`);
  const xs = [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
  const toX = xScale(xs[0], xs[xs.length - 1], spec.xLog);
  const plotBottom = HEIGHT - MARGIN.bottom;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    text(WIDTH / 2, 22, spec.title, 'middle', 'font-size="14" font-weight="bold"'),
    `<line x1="${MARGIN.left}" y1="${plotBottom}" x2="${WIDTH - MARGIN.right}" y2="${plotBottom}" stroke="black"/>`,
  ];
  // The x ticks are the measured points themselves: a few, chosen by the benchmark.
  for (const x of xs) {
    const px = toX(x);
    out.push(`<line x1="${px}" y1="${plotBottom}" x2="${px}" y2="${plotBottom + 5}" stroke="black"/>`);
    out.push(text(px, plotBottom + 18, formatNumber(x), 'middle'));
  }
  out.push(text(WIDTH / 2, HEIGHT - 12, spec.xLabel + (spec.xLog ? ' (log scale)' : ''), 'middle'));
  out.push(...axis(spec.left, 'left', COLOURS[0], toX));
  if (spec.right) out.push(...axis(spec.right, 'right', COLOURS[1], toX));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** One y axis (from 0 to a round maximum), its label and its series as a polyline with dots. */
function axis(side: { label: string; series: ChartSeries }, where: 'left' | 'right', colour: string, toX: (x: number) => number): string[] {
  const top = niceMax(Math.max(...side.series.points.map((p) => p.y)));
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const toY = (y: number) => round(HEIGHT - MARGIN.bottom - (y / top) * plotHeight);
  const ax = where === 'left' ? MARGIN.left : WIDTH - MARGIN.right;
  const tick = where === 'left' ? -5 : 5;
  const anchor = where === 'left' ? 'end' : 'start';
  const out = [`<line x1="${ax}" y1="${MARGIN.top}" x2="${ax}" y2="${HEIGHT - MARGIN.bottom}" stroke="${colour}"/>`];
  for (let i = 0; i <= Y_TICKS; i++) {
    const value = (top * i) / Y_TICKS;
    const py = toY(value);
    out.push(`<line x1="${ax}" y1="${py}" x2="${ax + tick}" y2="${py}" stroke="${colour}"/>`);
    out.push(text(ax + 2 * tick, py + 4, formatNumber(value), anchor, `fill="${colour}"`));
  }
  const labelX = where === 'left' ? 16 : WIDTH - 16;
  const labelY = HEIGHT / 2;
  // The series' name as a legend above its own axis.
  out.push(text(ax, MARGIN.top - 10, side.series.name, where === 'left' ? 'start' : 'end', `fill="${colour}"`));
  out.push(text(labelX, labelY, side.label, 'middle', `fill="${colour}" transform="rotate(${where === 'left' ? -90 : 90} ${labelX} ${labelY})"`));
  const points = [...side.series.points].sort((a, b) => a.x - b.x).map((p) => `${toX(p.x)},${toY(p.y)}`);
  out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"><title>${escapeXml(side.series.name)}</title></polyline>`);
  for (const p of points) {
    const [cx, cy] = p.split(',');
    out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${colour}"/>`);
  }
  return out;
}

function xScale(min: number, max: number, log: boolean): (x: number) => number {
  const width = WIDTH - MARGIN.left - MARGIN.right;
  const f = log ? Math.log10 : (v: number) => v;
  const span = f(max) - f(min);
  // A single x value sits in the middle.
  if (span === 0) return () => round(MARGIN.left + width / 2);
  return (x) => round(MARGIN.left + ((f(x) - f(min)) / span) * width);
}

/** 1, 2 or 5 times a power of ten, at least `value` (1 when every value is 0). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** 1,500 → "1.5k", 1,048,576 → "1.05M", 0.25 → "0.25". */
function formatNumber(v: number): string {
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) if (Math.abs(v) >= size) return `${Number((v / size).toPrecision(3))}${unit}`;
  return String(Number(v.toPrecision(3)));
}

function text(x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', attrs = ''): string {
  return `<text x="${round(x)}" y="${round(y)}" text-anchor="${anchor}" ${attrs}>${escapeXml(content)}</text>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
