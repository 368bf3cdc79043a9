// docs/configs.md is what the config tables render; `npm run docs:configs`
// (WRITE_CONFIG_DOCS=1) rewrites it after a table changed.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { renderConfigReference } from '../../src/metadata/config-docs.js';
import { REPO_ROOT } from '../helpers/broker-process.js';

test('docs/configs.md matches the config tables', () => {
  const file = path.join(REPO_ROOT, 'docs', 'configs.md');
  const rendered = renderConfigReference();
  if (process.env.WRITE_CONFIG_DOCS === '1') fs.writeFileSync(file, rendered);
  assert.equal(fs.readFileSync(file, 'utf8'), rendered, 'docs/configs.md is stale: run `npm run docs:configs`');
});
