// A queue member in a process of its own, for tests that kill it:
//   node dist/test/helpers/queue-worker.js <bootstrap> <topic> <group> <prefetch>
// prints "<partition> <offset> <deliveryCount>" for each message it takes and
// never settles one, so it holds them until it dies or their lock expires.

import { connect } from '../../src/client/index.js';

const [bootstrap, topic, group, prefetch] = process.argv.slice(2);
const client = await connect({ bootstrap });
await client.queue(topic, { group, from: 'earliest', prefetch: Number(prefetch) }).run(
  async (msg) => {
    process.stdout.write(`${msg.partition} ${msg.offset} ${msg.deliveryCount}\n`);
    await new Promise(() => {});
  },
  { concurrency: Number(prefetch) },
);
