// Users' SCRAM credentials through the Kafka protocol, as Kafka's admin client
// does (KIP-554): the password is salted here, and only the salt, the
// iterations and the salted password go to the broker (AlterUserScramCredentials);
// DescribeUserScramCredentials lists users with their mechanisms.

import crypto from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from '../protocol/messages/user-scram-credentials.js';
import { MIN_ITERATIONS, SCRAM_MECHANISMS, type ScramMechanism, mechanismByCode, saltPassword } from '../protocol/scram.js';
import { check } from './client-error.js';
import type { KafkaClient } from './kafka-client.js';

const ALTER = { request: AlterUserScramCredentialsRequest, response: AlterUserScramCredentialsResponse };
const DESCRIBE = { request: DescribeUserScramCredentialsRequest, response: DescribeUserScramCredentialsResponse };

/** Kafka's admin salts with as many bytes. */
const SALT_BYTES = 32;

export interface ScramUser {
  user: string;
  credentials: { mechanism: ScramMechanism; iterations: number }[];
}

async function alter(client: KafkaClient, body: object, doing: string): Promise<void> {
  const res = await client.send(ALTER, body);
  for (const r of res.results) check(r.errorCode, r.errorMessage, doing);
}

/** Creates `user`'s credential for `mechanism`, or replaces it. */
export async function upsertScramCredential(client: KafkaClient, user: string, mechanism: ScramMechanism, password: string, iterations = MIN_ITERATIONS): Promise<void> {
  const { salt, saltedPassword } = await saltNewPassword(mechanism, password, iterations);
  await alter(client, { deletions: [], upsertions: [{ name: user, mechanism: SCRAM_MECHANISMS[mechanism].code, iterations, salt, saltedPassword }] }, `set the ${mechanism} credential of '${user}'`);
}

/** A new random salt and `password` salted with it: what a credential is made of, and all the broker is given. */
export async function saltNewPassword(mechanism: ScramMechanism, password: string, iterations: number): Promise<{ salt: Buffer; saltedPassword: Buffer }> {
  const salt = crypto.randomBytes(SALT_BYTES);
  return { salt, saltedPassword: await saltPassword(mechanism, password, salt, iterations) };
}

/** Deletes `user`'s credentials for `mechanisms`. */
export async function deleteScramCredentials(client: KafkaClient, user: string, mechanisms: ScramMechanism[]): Promise<void> {
  await alter(client, { deletions: mechanisms.map((m) => ({ name: user, mechanism: SCRAM_MECHANISMS[m].code })), upsertions: [] }, `delete the credentials of '${user}'`);
}

/** `users` empty: every user with a credential. A named user without one is an error. */
export async function describeScramUsers(client: KafkaClient, users: string[] = []): Promise<ScramUser[]> {
  const res = await client.send(DESCRIBE, { users: users.map((name) => ({ name })) });
  check(res.errorCode, res.errorMessage, 'describe users');
  return res.results.map((r: { user: string; errorCode: number; errorMessage: string | null; credentialInfos: { mechanism: number; iterations: number }[] }) => {
    if (r.errorCode !== ErrorCode.NONE) check(r.errorCode, r.errorMessage, `describe user '${r.user}'`);
    return { user: r.user, credentials: r.credentialInfos.flatMap((c) => (mechanismByCode(c.mechanism) ? [{ mechanism: mechanismByCode(c.mechanism) as ScramMechanism, iterations: c.iterations }] : [])) };
  });
}
