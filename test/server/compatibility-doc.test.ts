// docs/compatibility.md lists the APIs and versions Sluice advertises; this
// keeps that table equal to the handler table ApiVersions is built from.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { supportedApis } from '../../src/server/api/index.js';
import { REPO_ROOT } from '../helpers/broker-process.js';

/** "| key | API | versions | key | API | versions |" rows -> "key versions" entries, e.g. "47 0-0". */
function documentedApis(markdown: string): string[] {
  const table = markdown.slice(markdown.indexOf('| key | API | versions |'), markdown.indexOf('## '));
  const entries: string[] = [];
  for (const row of table.split('\n').slice(2)) {
    const cells = row.split('|').map((c) => c.trim()).slice(1, -1);
    for (let i = 0; i + 2 < cells.length; i += 3) {
      if (cells[i] === '') continue;
      const [min, max = min] = cells[i + 2].split('-');
      entries.push(`${cells[i]} ${min}-${max}`);
    }
  }
  return entries.sort();
}

test('docs/compatibility.md lists exactly the API versions the broker advertises', () => {
  const markdown = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'compatibility.md'), 'utf8');
  const advertised = supportedApis().map((a) => `${a.apiKey} ${a.minVersion}-${a.maxVersion}`).sort();
  assert.deepEqual(documentedApis(markdown), advertised);
});
