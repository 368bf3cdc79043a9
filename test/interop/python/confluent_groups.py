"""Drives confluent-kafka-python group consumers for
test/interop/confluent-python-groups.test.ts. Run with /usr/bin/python3 (the
Debian package is importable only there):

    confluent_groups.py round BOOTSTRAP TOPIC GROUP PARTITIONS PER_PARTITION TAG

One round: two Consumers subscribe to TOPIC in GROUP (in this one process,
polled in turn) and are polled until they split the partitions between them;
then PER_PARTITION records 'TAG-<partition>-<i>' are produced to every
partition, the consumers read until each partition's high watermark, commit
synchronously and close (leaving the group). Every record either consumer
returns is reported, including any read before the split, so a group that
lost its committed offsets shows up as records read again (the consumers
start at the earliest offset when there is no commit).

Prints one JSON object: {"assignments": [[partitions of consumer 0], [... 1]],
"records": [{"consumer", "partition", "offset", "value"}], "committed":
{"<partition>": offset}} and exits 0. Any client error raises, which exits
non-zero with a traceback on stderr.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

TIMEOUT_S = 20


def fail(message):
    raise SystemExit(message)


def poll_all(consumers, records):
    """One short poll of each consumer; records land in `records` tagged with the consumer's index."""
    for index, consumer in enumerate(consumers):
        msg = consumer.poll(0.05)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise KafkaException(msg.error())
        records.append({'consumer': index, 'partition': msg.partition(), 'offset': msg.offset(), 'value': msg.value().decode()})


def partitions_of(consumer):
    return sorted(tp.partition for tp in consumer.assignment())


def run_round(bootstrap, topic, group, partitions, per_partition, tag):
    partitions, per_partition = int(partitions), int(per_partition)
    config = {
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'enable.partition.eof': True,
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 200,
        'fetch.wait.max.ms': 50,
    }
    consumers = [Consumer({**config, 'client.id': f'py-{i}'}) for i in range(2)]
    for consumer in consumers:
        consumer.subscribe([topic])
    records = []
    deadline = time.monotonic() + TIMEOUT_S

    everything = list(range(partitions))
    while True:
        owned = [partitions_of(c) for c in consumers]
        if all(owned) and sorted(owned[0] + owned[1]) == everything:
            break
        if time.monotonic() > deadline:
            fail(f'the consumers did not split the partitions within {TIMEOUT_S} s: {owned}')
        poll_all(consumers, records)

    producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all'})
    for p in everything:
        for i in range(per_partition):
            producer.produce(topic, value=f'{tag}-{p}-{i}', partition=p)
    if producer.flush(TIMEOUT_S):
        fail('records still undelivered')
    high = {p: consumers[0].get_watermark_offsets(TopicPartition(topic, p), TIMEOUT_S)[1] for p in everything}

    def read_up_to(p):
        return max((r['offset'] + 1 for r in records if r['partition'] == p), default=-1)

    while any(read_up_to(p) < high[p] for p in everything):
        if time.monotonic() > deadline:
            fail(f'not every partition was read to its end {high} within {TIMEOUT_S} s')
        poll_all(consumers, records)

    committed = {}
    for consumer in consumers:
        for tp in consumer.commit(asynchronous=False):
            if tp.error is not None:
                raise KafkaException(tp.error)
        for tp in consumer.committed(consumer.assignment(), TIMEOUT_S):
            committed[str(tp.partition)] = tp.offset
    assignments = [partitions_of(c) for c in consumers]
    for consumer in consumers:
        consumer.close()
    return {'assignments': assignments, 'records': records, 'committed': committed}


COMMANDS = {'round': run_round}

if __name__ == '__main__':
    command, *args = sys.argv[1:]
    print(json.dumps(COMMANDS[command](*args)))
