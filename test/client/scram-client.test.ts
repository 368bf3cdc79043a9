// The client's side of SCRAM does not take the broker on trust: a server-first
// whose nonce does not extend the client's, one asking for fewer iterations
// than Kafka's minimum, and a server-final whose signature is not the one the
// password gives (or an e= error) are refused with SLUICE_ERR_SASL. The
// signature a broker holding the credential computes is accepted.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { ScramClient } from '../../src/client/scram-client.js';
import { hmac, saltPassword } from '../../src/protocol/scram.js';

const refusedWith = (pattern: RegExp) => (err: Error & { code?: string }) => {
  assert.equal(err.code, 'SLUICE_ERR_SASL');
  assert.match(err.message, pattern);
  return true;
};

const serverFirst = (nonce: string, iterations = 4096, salt = crypto.randomBytes(16)) => Buffer.from(`r=${nonce},s=${salt.toString('base64')},i=${iterations}`);

test('a server nonce that does not extend the client nonce, or only repeats it, is refused', async () => {
  const scram = new ScramClient('SCRAM-SHA-256', 'alice', 'secret');
  await assert.rejects(scram.clientFinal(serverFirst('someone-elses-nonce')), refusedWith(/server nonce does not extend the client nonce/));
  await assert.rejects(scram.clientFinal(serverFirst(scram.clientNonce)), refusedWith(/server nonce does not extend the client nonce/));
});

test('fewer iterations than Kafka requires are refused', async () => {
  const scram = new ScramClient('SCRAM-SHA-512', 'alice', 'secret');
  await assert.rejects(scram.clientFinal(serverFirst(`${scram.clientNonce}xyz`, 1000)), refusedWith(/1000 iterations, fewer than the 4096/));
});

test('the server signature must be the one the password gives', async () => {
  const salt = crypto.randomBytes(16);
  const scram = new ScramClient('SCRAM-SHA-256', 'alice', 'secret');
  const challenge = serverFirst(`${scram.clientNonce}server`, 4096, salt);
  const final = await scram.clientFinal(challenge);

  // What a broker holding alice's credential answers: HMAC(ServerKey, AuthMessage).
  const serverKey = hmac('SCRAM-SHA-256', await saltPassword('SCRAM-SHA-256', 'secret', salt, 4096), 'Server Key');
  const withoutProof = final.toString().slice(0, final.toString().lastIndexOf(',p='));
  const authMessage = `${scram.clientFirst().toString().slice(3)},${challenge},${withoutProof}`;
  scram.verifyServerFinal(Buffer.from(`v=${hmac('SCRAM-SHA-256', serverKey, authMessage).toString('base64')}`));

  assert.throws(() => scram.verifyServerFinal(Buffer.from(`v=${crypto.randomBytes(32).toString('base64')}`)), refusedWith(/server signature does not match/));
  assert.throws(() => scram.verifyServerFinal(Buffer.from('v=')), refusedWith(/server signature does not match/));
  assert.throws(() => scram.verifyServerFinal(Buffer.from('e=invalid-proof')), refusedWith(/the broker answered invalid-proof/));
});
