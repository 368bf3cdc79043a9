// AlterUserScramCredentials and DescribeUserScramCredentials decisions on a
// real credential store in a temporary data directory: Kafka's error codes for
// bad iterations, an empty or too long salt, an unknown mechanism, a missing credential and
// a user altered twice; a user's alterations apply all or none; and the store
// read back from its file equals what was written.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { alterUserCredentials, describeUserCredentials } from '../../src/broker/user-credential-changes.js';
import { UserCredentials } from '../../src/broker/user-credentials.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';

const SHA256 = 1;
const SHA512 = 2;
const upsert = (user: string, mechanismCode: number, iterations = 4096, salt = Buffer.from('salt')) => ({ user, mechanismCode, iterations, salt, saltedPassword: Buffer.alloc(32, 7) });

test('Kafka error codes per user, all-or-nothing per user, and the store survives a reopen', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-credentials-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const store = UserCredentials.open(dir);

  const results = await alterUserCredentials(
    store,
    [{ user: 'ghost', mechanismCode: SHA512 }],
    [
      upsert('alice', SHA512),
      upsert('alice', SHA256, 16384),
      upsert('bob', SHA512, 4095),
      upsert('carol', SHA512, 20000),
      upsert('dave', SHA512, 4096, Buffer.alloc(0)),
      upsert('dora', SHA512, 4096, Buffer.alloc(1025)),
      upsert('erin', 3),
      upsert('frank', SHA512),
      upsert('frank', SHA512),
      upsert('', SHA512),
      // grace's good credential is not applied: her other alteration is refused.
      upsert('grace', SHA256),
      upsert('grace', SHA512, 1),
    ],
  );
  assert.deepEqual(
    results.map((r) => [r.user, r.errorCode]),
    [
      ['ghost', ErrorCode.RESOURCE_NOT_FOUND],
      ['alice', ErrorCode.NONE],
      ['bob', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['carol', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['dave', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['dora', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['erin', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
      ['frank', ErrorCode.DUPLICATE_RESOURCE],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['grace', ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ],
  );
  const expected = [{ user: 'alice', errorCode: ErrorCode.NONE, errorMessage: null, credentials: [{ mechanismCode: SHA512, iterations: 4096 }, { mechanismCode: SHA256, iterations: 16384 }] }];
  assert.deepEqual(describeUserCredentials(store, null), expected);
  assert.deepEqual(describeUserCredentials(UserCredentials.open(dir), []), expected, 'read back from the file');
  assert.deepEqual(
    describeUserCredentials(store, ['grace', 'alice', 'alice']).map((d) => [d.user, d.errorCode]),
    [
      ['grace', ErrorCode.RESOURCE_NOT_FOUND],
      ['alice', ErrorCode.DUPLICATE_RESOURCE],
    ],
  );

  assert.deepEqual((await alterUserCredentials(store, [{ user: 'alice', mechanismCode: SHA512 }, { user: 'alice', mechanismCode: SHA256 }], [])).map((r) => r.errorCode), [ErrorCode.NONE]);
  assert.deepEqual(describeUserCredentials(UserCredentials.open(dir), null), []);
});

test('a credentials file that cannot be parsed stops the broker from opening it, with SLUICE_ERR_CREDENTIALS', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-credentials-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.writeFile(path.join(dir, 'scram-credentials'), '{"alice": ');
  assert.throws(() => UserCredentials.open(dir), { code: 'SLUICE_ERR_CREDENTIALS' });
});
