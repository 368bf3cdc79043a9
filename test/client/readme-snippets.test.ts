// The README's "Client" section is one program in several ```ts blocks:
// this test type-checks it against the sources, runs it (with 'sluice'
// pointing at the build, in a temporary directory for its './data'), and
// checks that each `console.log(...); // text` printed that text.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/broker-process.js';

async function clientSection(): Promise<string> {
  const readme = await fs.readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Client\n');
  assert.ok(start >= 0, 'README has a Client section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Type errors of `file` when 'sluice' is the package's own src/index.ts. */
function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')],
    paths: { sluice: [path.join(REPO_ROOT, 'src/index.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

test("the README's client snippets type-check, run and print what their comments say", async (t) => {
  const blocks = [...(await clientSection()).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 5, `found ${blocks.length} ts blocks`);
  const source = blocks.join('\n');
  const expected = [...source.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
  assert.ok(expected.length >= 4);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-readme-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  // A package.json of type module makes the file an ES module for the type-checker (top-level await).
  await fs.writeFile(path.join(dir, 'package.json'), '{ "type": "module" }');
  const tsFile = path.join(dir, 'readme.ts');
  await fs.writeFile(tsFile, source);
  assert.deepEqual(typeErrors(tsFile), []);

  const built = pathToFileURL(path.join(REPO_ROOT, 'dist/src/index.js')).href;
  const js = ts.transpileModule(source.replace(/from 'sluice'/g, `from '${built}'`), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
  const jsFile = path.join(dir, 'readme.js');
  await fs.writeFile(jsFile, js);

  const printed: string[] = [];
  const log = console.log;
  const cwd = process.cwd();
  console.log = (...args: unknown[]) => void printed.push(format(...args));
  process.chdir(dir);
  try {
    await import(pathToFileURL(jsFile).href);
  } finally {
    process.chdir(cwd);
    console.log = log;
  }
  assert.deepEqual(printed, expected);
});
