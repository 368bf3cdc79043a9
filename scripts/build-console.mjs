// Bundles the web console (console/) into dist/console/, where the HTTP API
// serves it from: app.js and app.css (the page's code and styles, uPlot's
// included, nothing fetched from elsewhere) beside index.html.

import fs from 'node:fs/promises';
import { build } from 'esbuild';

const out = 'dist/console';
await fs.mkdir(out, { recursive: true });
await build({
  entryPoints: { app: 'console/src/main.ts' },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outdir: out,
  logLevel: 'warning',
});
await fs.copyFile('console/index.html', `${out}/index.html`);
