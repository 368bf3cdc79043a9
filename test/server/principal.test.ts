// A client certificate's principal as Kafka's default principal builder
// writes it (X500Principal.getName(), RFC 2253): the most specific attribute
// first, special characters escaped.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { certificatePrincipal } from '../../src/server/principal.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';

test('the subject is written most specific first, with RFC 2253 escapes', skipUnless(openssl), async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-principal-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/C=DE/O=Acme, Inc/OU=eng/CN=svc;orders'], { cwd: dir });
  const cert = new X509Certificate(await fs.readFile(path.join(dir, 'c.pem')));
  assert.equal(certificatePrincipal(cert), 'User:CN=svc\\;orders,OU=eng,O=Acme\\, Inc,C=DE');
});
