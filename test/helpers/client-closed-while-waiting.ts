// Run as a child process by test/client/close.test.ts: leaves a KafkaClient
// with a request waiting for an answer (broker at argv[2] answers nothing), a
// connection still negotiating (argv[3] never writes) and a reconnect backing
// off (argv[4] refuses), each with a minute-long timer, closes the client,
// prints how each ended as JSON, and returns without process.exit: the process
// ends at once only if close() left no socket or timer behind.

import { KafkaClient } from '../../src/client/index.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';

const [hangs, silent, refuses] = process.argv.slice(2);
const client = new KafkaClient({ bootstrap: hangs, requestTimeoutMs: 60_000, reconnectBackoffMs: 60_000, reconnectBackoffMaxMs: 60_000 });
const [silentHost, silentPort] = silent.split(':');
const [refusedHost, refusedPort] = refuses.split(':');

const outcome = (p: Promise<unknown>) => p.then(() => 'answered', (err: { code?: string }) => err.code ?? String(err));

const conn = await client.any();
const waiting = outcome(conn.send({ request: MetadataRequest, response: MetadataResponse }, { topics: [], allowAutoTopicCreation: false }));
const negotiating = outcome(client.connect(silentHost, Number(silentPort), 'admin'));
await outcome(client.connect(refusedHost, Number(refusedPort)));
const backingOff = outcome(client.connect(refusedHost, Number(refusedPort)));

await client.close();
console.log(JSON.stringify({ waiting: await waiting, negotiating: await negotiating, backingOff: await backingOff }));
