"""Drives a confluent-kafka-python (librdkafka) transactional producer for
test/interop/confluent-python-transactions.test.ts. Run with /usr/bin/python3
(the Debian package is importable only there):

    confluent_transactions.py run BOOTSTRAP TOPIC PARTITIONS

With one transactional producer: init_transactions; a transaction of
`commit-1 <i>` records, committed; one of `abort <i>`, aborted; one of
`commit-2 <i>`, committed; then one of `open <i>` that is flushed but left
open while two assign()ed consumers read every partition from offset 0 to its
end: one with isolation.level=read_committed, one with read_uncommitted.
Finally the open transaction is aborted. Record i goes to partition
i % PARTITIONS. Prints one JSON object:
{"committed": [{"partition", "offset", "value"}, ...],
 "uncommitted": [...]} in the order each consumer received them.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

TIMEOUT_S = 30
PER_TRANSACTION = 12


def fail(message):
    raise SystemExit(message)


def send(producer, topic, partitions, tag):
    for i in range(PER_TRANSACTION):
        producer.produce(topic, partition=i % partitions, value=f'{tag} {i}')
    remaining = producer.flush(TIMEOUT_S)
    if remaining:
        fail(f'{remaining} {tag} records still undelivered after {TIMEOUT_S} s')


def read_to_end(bootstrap, topic, partitions, isolation):
    """Reads every partition from offset 0 until librdkafka reports its end."""
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        # librdkafka insists on a group.id even for a plain assign(); nothing is committed.
        'group.id': f'sluice-interop-{isolation}',
        'enable.auto.commit': False,
        'enable.partition.eof': True,
        'fetch.wait.max.ms': 20,
        'isolation.level': isolation,
    })
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    at_end = set()
    records = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(at_end) < partitions:
        if time.monotonic() > deadline:
            fail(f'{isolation}: partitions {sorted(set(range(partitions)) - at_end)} did not reach their end within {TIMEOUT_S} s')
        msg = consumer.poll(1)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
                continue
            raise KafkaException(msg.error())
        records.append({'partition': msg.partition(), 'offset': msg.offset(), 'value': msg.value().decode()})
    consumer.close()
    return records


def run(bootstrap, topic, partitions):
    partitions = int(partitions)
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': 'py-txn',
        'linger.ms': 2,
        'transaction.timeout.ms': 60000,
    })
    producer.init_transactions(TIMEOUT_S)

    producer.begin_transaction()
    send(producer, topic, partitions, 'commit-1')
    producer.commit_transaction(TIMEOUT_S)

    producer.begin_transaction()
    send(producer, topic, partitions, 'abort')
    producer.abort_transaction(TIMEOUT_S)

    producer.begin_transaction()
    send(producer, topic, partitions, 'commit-2')
    producer.commit_transaction(TIMEOUT_S)

    producer.begin_transaction()
    send(producer, topic, partitions, 'open')
    committed = read_to_end(bootstrap, topic, partitions, 'read_committed')
    uncommitted = read_to_end(bootstrap, topic, partitions, 'read_uncommitted')
    producer.abort_transaction(TIMEOUT_S)
    return {'committed': committed, 'uncommitted': uncommitted}


def main():
    command, *args = sys.argv[1:]
    if command == 'run':
        out = run(*args)
    else:
        raise SystemExit(f'unknown command {command}')
    print(json.dumps(out))


if __name__ == '__main__':
    main()
