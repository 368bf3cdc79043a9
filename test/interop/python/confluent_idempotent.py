"""Drives a confluent-kafka-python (librdkafka) idempotent producer for
test/interop/confluent-python-idempotent.test.ts. Run with /usr/bin/python3
(the Debian package is importable only there):

    confluent_idempotent.py produce BOOTSTRAP TOPIC COUNT

Sends COUNT records `record <i>` to partition 0 with enable.idempotence=True,
in small batches with several requests in flight, and prints one JSON object:
{"delivered": [{"value", "offset"} or {"value", "error"}, ...]} in callback
order, plus the producer's idempotence state from librdkafka's statistics.
Exits non-zero if records are still undelivered after the timeout.
"""

import json
import sys

from confluent_kafka import Producer

TIMEOUT_S = 60


def produce(bootstrap, topic, count):
    count = int(count)
    stats = {}
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'enable.idempotence': True,
        # Small batches, several requests in flight: lost acknowledgements hit pipelined requests.
        'batch.num.messages': 10,
        'linger.ms': 2,
        'max.in.flight.requests.per.connection': 5,
        # Reconnect quickly when the broker closes the connection or restarts.
        'reconnect.backoff.ms': 20,
        'reconnect.backoff.max.ms': 200,
        'retry.backoff.ms': 20,
        'message.timeout.ms': TIMEOUT_S * 1000,
        'statistics.interval.ms': 100,
        'stats_cb': lambda s: stats.update(json.loads(s)),
    })
    delivered = []

    def on_delivery(err, msg):
        entry = {'value': msg.value().decode()}
        if err is not None:
            entry['error'] = str(err)
        else:
            entry['offset'] = msg.offset()
        delivered.append(entry)

    for i in range(count):
        producer.produce(topic, partition=0, value=f'record {i}', on_delivery=on_delivery)
        producer.poll(0)
    remaining = producer.flush(TIMEOUT_S)
    if remaining:
        raise SystemExit(f'{remaining} records still undelivered after {TIMEOUT_S} s')
    producer.poll(0.3)  # one more statistics callback
    eos = stats.get('eos', {})
    return {'delivered': delivered, 'idempState': eos.get('idemp_state'), 'epochCount': eos.get('epoch_cnt')}


def main():
    command, *args = sys.argv[1:]
    if command == 'produce':
        out = produce(*args)
    else:
        raise SystemExit(f'unknown command {command}')
    print(json.dumps(out))


if __name__ == '__main__':
    main()
