// The ACL authorizer against real clients: ACLs are created with kafkajs's
// admin (CreateAcls) as a super user, and users logged in with SCRAM over
// SASL_PLAINTEXT find exactly what the ACLs grant. A user without ACLs can
// neither write, read, join a group nor see the topic in Metadata; prefixed
// ACLs grant exactly the prefix; a DENY beats an ALLOW. kcat and
// confluent-kafka-python (librdkafka) see the same.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, AssignedConsumer, KafkaClient, KafkaError } from '../../src/client/index.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { REPO_ROOT } from '../helpers/broker-process.js';
import { KCAT, PYTHON, confluentPython, kcat, openssl, skipUnless } from '../helpers/interop-tools.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { runCommand, runOk } from './run-command.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
type Acl = kafkajs.AclEntry;

// kafkajs's table of Kafka errors: a non-retriable error it rethrows keeps the message, not the type.
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: { type: string; message: string }[] };

/**
 * The Kafka error types kafkajs logged, newest last: when FindCoordinator is
 * refused it logs the broker's answer and then reports only that it found no
 * coordinator (KafkaJSGroupCoordinatorNotFound).
 */
const brokerErrors: string[] = [];
const recordBrokerErrors: kafkajs.logCreator = () => ({ log }) => {
  const error = (log as { error?: { type?: string } }).error;
  if (typeof error === 'object' && error?.type) brokerErrors.push(error.type);
};

/** The Kafka error type of a kafkajs error, unwrapped. */
function errorType(err: unknown): string {
  const e = err as { type?: string; message?: string; name?: string };
  if (e.name === 'KafkaJSGroupCoordinatorNotFound' && brokerErrors.length > 0) return brokerErrors[brokerErrors.length - 1];
  return e.type ?? errorCodes.find((c) => c.message === e.message || e.message?.includes(c.message))?.type ?? String(err);
}

const BOB = 'bob';
const BOB_PASSWORD = 'bob-secret';

interface AclBroker {
  /** kafkajs on the PLAINTEXT listener, as User:ANONYMOUS, a super user here. */
  superAdmin: ReturnType<InstanceType<typeof Kafka>['admin']>;
  /** kafkajs logged in with SCRAM-SHA-512 over SASL_PLAINTEXT. */
  as(user: string, password: string): InstanceType<typeof Kafka>;
  saslEndpoint: string;
  grant(acl: Partial<Acl>): Promise<void>;
}

async function startAclBroker(t: TestContext, topics: string[]): Promise<AclBroker> {
  const { broker, endpoint } = await startSaslBroker(t, { authorizer: 'acl', superUsers: ['User:ANONYMOUS'] });
  const setup = new KafkaClient({ bootstrap: broker.bootstrap });
  try {
    await upsertScramCredential(setup, BOB, 'SCRAM-SHA-512', BOB_PASSWORD);
    for (const topic of topics) await new Admin(setup).createTopic(topic, 1);
  } finally {
    await setup.close();
  }
  const kafka = (config: Partial<ConstructorParameters<typeof Kafka>[0]>) => new Kafka({ clientId: 'acl-test', logLevel: logLevel.NOTHING, retry: { retries: 0 }, brokers: [broker.bootstrap], ...config });
  const superAdmin = kafka({}).admin();
  await superAdmin.connect();
  t.after(() => superAdmin.disconnect());
  const saslEndpoint = endpoint('SASL_PLAINTEXT');
  return {
    superAdmin,
    saslEndpoint,
    as: (user, password) => kafka({ brokers: [saslEndpoint], sasl: { mechanism: 'scram-sha-512', username: user, password }, logLevel: logLevel.DEBUG, logCreator: recordBrokerErrors }),
    async grant(acl) {
      await superAdmin.createAcls({
        acl: [
          {
            resourceType: AclResourceTypes.TOPIC,
            resourceName: 'orders',
            resourcePatternType: ResourcePatternTypes.LITERAL,
            principal: `User:${USER}`,
            host: '*',
            operation: AclOperationTypes.ALL,
            permissionType: AclPermissionTypes.ALLOW,
            ...acl,
          } as Acl,
        ],
      });
    },
  };
}

/** Topics a kafkajs client sees when it asks for all of them. */
async function visibleTopics(kafka: InstanceType<typeof Kafka>): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicMetadata()).topics.map((t) => t.name).sort();
  } finally {
    await admin.disconnect();
  }
}

/** What a kafkajs producer's send of one record comes to: 'ok' or the Kafka error's type. */
async function produceOutcome(kafka: InstanceType<typeof Kafka>, topic: string): Promise<string> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `to ${topic}` }] });
    return 'ok';
  } catch (err) {
    return errorType(err);
  } finally {
    await producer.disconnect();
  }
}

/** What a kafkajs group consumer of `topic` in `groupId` comes to: the first record's value, or the error type that crashed it. */
async function consumeOutcome(kafka: InstanceType<typeof Kafka>, topic: string, groupId: string): Promise<string> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, retry: { retries: 0 } });
  try {
    await consumer.connect();
    const outcome = new Promise<string>((resolve) => {
      consumer.on(consumer.events.CRASH, (e) => resolve(errorType(e.payload.error)));
      consumer.subscribe({ topic, fromBeginning: true })
        .then(() => consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }))
        .catch((err: unknown) => resolve(errorType(err)));
    });
    return await outcome;
  } finally {
    await consumer.disconnect();
  }
}

test('a user without ACLs can neither write, read, join a group nor see the topic; grants open exactly what they name', skipUnless(openssl), async (t) => {
  const b = await startAclBroker(t, ['orders']);
  const alice = b.as(USER, PASSWORD);

  assert.deepEqual(await visibleTopics(alice), [], 'Metadata lists no topic');
  assert.equal(await produceOutcome(alice, 'orders'), 'TOPIC_AUTHORIZATION_FAILED');
  // kafkajs asks for the topic's metadata before it joins: refused there first.
  assert.equal(await consumeOutcome(alice, 'orders', 'billing'), 'TOPIC_AUTHORIZATION_FAILED');
  const reader = new KafkaClient({ bootstrap: b.saslEndpoint, sasl: { mechanism: 'SCRAM-SHA-512', username: USER, password: PASSWORD } });
  t.after(() => reader.close());
  // A poll gives up after maxWaitMs without data: long enough for the refused Metadata to come first on a loaded machine.
  await assert.rejects(new AssignedConsumer(reader, 'orders', new Map([[0, 0]]), { maxWaitMs: 5000 }).poll(), (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  await b.grant({ operation: AclOperationTypes.WRITE });
  assert.equal(await produceOutcome(alice, 'orders'), 'ok', 'WRITE lets her produce');
  assert.deepEqual(await visibleTopics(alice), ['orders'], 'WRITE implies DESCRIBE');
  assert.equal(await consumeOutcome(alice, 'orders', 'billing'), 'GROUP_AUTHORIZATION_FAILED', 'the topic now described, the group join is refused');

  await b.grant({ operation: AclOperationTypes.READ, resourceType: AclResourceTypes.GROUP, resourceName: 'billing' });
  assert.equal(await consumeOutcome(alice, 'orders', 'billing'), 'TOPIC_AUTHORIZATION_FAILED', 'READ on the group, not yet on the topic');
  await b.grant({ operation: AclOperationTypes.READ });
  assert.equal(await consumeOutcome(alice, 'orders', 'billing'), 'to orders', 'READ on the topic and the group');
  assert.equal(await consumeOutcome(alice, 'orders', 'other-group'), 'GROUP_AUTHORIZATION_FAILED', 'only the group granted');
});

test('a prefixed ACL grants exactly the names that start with the prefix', skipUnless(openssl), async (t) => {
  const b = await startAclBroker(t, ['logs.app', 'logs', 'applogs.x']);
  const alice = b.as(USER, PASSWORD);
  await b.grant({ resourceName: 'logs.', resourcePatternType: ResourcePatternTypes.PREFIXED });
  assert.deepEqual(await visibleTopics(alice), ['logs.app']);
  assert.equal(await produceOutcome(alice, 'logs.app'), 'ok');
  assert.equal(await produceOutcome(alice, 'logs'), 'TOPIC_AUTHORIZATION_FAILED');
  assert.equal(await produceOutcome(alice, 'applogs.x'), 'TOPIC_AUTHORIZATION_FAILED');
});

test('a DENY beats an ALLOW: for its principal only, and only for what it denies', skipUnless(openssl), async (t) => {
  const b = await startAclBroker(t, ['orders', 'secret']);
  await b.grant({ principal: 'User:*', resourceName: '*', operation: AclOperationTypes.WRITE });
  await b.grant({ resourceName: 'secret', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY });
  const alice = b.as(USER, PASSWORD);
  const bob = b.as(BOB, BOB_PASSWORD);
  assert.equal(await produceOutcome(alice, 'secret'), 'TOPIC_AUTHORIZATION_FAILED');
  assert.equal(await produceOutcome(alice, 'orders'), 'ok');
  assert.equal(await produceOutcome(bob, 'secret'), 'ok');
  // The DENY names WRITE: the DESCRIBE that the wildcard WRITE implies still shows her the topic.
  assert.deepEqual(await visibleTopics(alice), ['orders', 'secret']);
});

/** librdkafka's properties for alice over SASL_PLAINTEXT. */
const aliceProperties = { 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': USER, 'sasl.password': PASSWORD };

test('kcat: Metadata lists only what alice may describe, and a refused write says so', skipUnless(openssl, kcat), async (t) => {
  const b = await startAclBroker(t, ['orders', 'payments']);
  await b.grant({ operation: AclOperationTypes.READ });
  const x = Object.entries(aliceProperties).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const listing = (await runOk(KCAT, ['-L', '-J', '-b', b.saslEndpoint, ...x])).stdout.toString();
  assert.deepEqual((JSON.parse(listing).topics as { topic: string }[]).map((topic) => topic.topic), ['orders']);
  const refused = await runCommand(KCAT, ['-P', '-b', b.saslEndpoint, '-t', 'orders', '-p', '0', ...x], { input: 'not allowed\n' });
  assert.match(refused.stderr.toString(), /authorization failed/i);
});

test('confluent-kafka-python: a produce to a topic without WRITE is refused, one with WRITE delivered', skipUnless(openssl, confluentPython), async (t) => {
  const b = await startAclBroker(t, ['orders', 'payments']);
  await b.grant({ operation: AclOperationTypes.WRITE });
  const script = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_client.py');
  for (const [topic, expected] of [['orders', null], ['payments', 'TOPIC_AUTHORIZATION_FAILED']] as const) {
    const out = JSON.parse((await runOk(PYTHON, [script, 'produce-one', b.saslEndpoint, topic, JSON.stringify(aliceProperties)])).stdout.toString());
    assert.equal(out.error, expected, topic);
  }
});
