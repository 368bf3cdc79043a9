"""Drives confluent-kafka-python (librdkafka) against a broker for
test/interop/confluent-python.test.ts. Run with /usr/bin/python3 (the Debian
package is importable only there):

    confluent_client.py produce-consume BOOTSTRAP TOPIC PARTITIONS COUNT CODEC
    confluent_client.py offsets-for-times BOOTSTRAP TOPIC
    confluent_client.py metadata BOOTSTRAP TOPIC...
    confluent_client.py admin BOOTSTRAP TOPIC
    confluent_client.py secure-round-trip BOOTSTRAP TOPIC CONFIG_JSON

Each prints one JSON object on stdout and exits 0; the Node test asserts on
it. Any client error raises, which exits non-zero with a traceback on stderr.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TIMEOUT_S = 10


def fail(message):
    raise SystemExit(message)


def produce_all(bootstrap, topic, records, extra_config=None):
    """Produces (partition, key, value, timestamp or None) tuples with acks=all;
    returns the delivery reports in the order the callbacks fired."""
    config = {'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5}
    config.update(extra_config or {})
    producer = Producer(config)
    reports = []

    def on_delivery(err, msg):
        if err is not None:
            reports.append({'error': str(err), 'key': msg.key().decode()})
        else:
            reports.append({'key': msg.key().decode(), 'partition': msg.partition(), 'offset': msg.offset()})

    for partition, key, value, timestamp in records:
        kwargs = {'partition': partition, 'key': key, 'value': value, 'on_delivery': on_delivery}
        if timestamp is not None:
            kwargs['timestamp'] = timestamp
        producer.produce(topic, **kwargs)
        producer.poll(0)
    remaining = producer.flush(TIMEOUT_S)
    if remaining:
        fail(f'{remaining} records still undelivered after {TIMEOUT_S} s')
    return reports


def assigned_consumer(bootstrap, assignments, extra_config=None):
    # librdkafka insists on a group.id even for a plain assign(); nothing is
    # committed and no group is joined.
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': 'sluice-interop-assign',
        'enable.auto.commit': False,
        'enable.partition.eof': True,
        'fetch.wait.max.ms': 20,
        **(extra_config or {}),
    })
    consumer.assign(assignments)
    return consumer


def consume_to_end(bootstrap, topic, starts, extra_config=None):
    """Reads each partition of {partition: start offset} until librdkafka reports its end."""
    partitions = list(starts)
    consumer = assigned_consumer(bootstrap, [TopicPartition(topic, p, o) for p, o in starts.items()], extra_config)
    at_end = set()
    records = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(at_end) < len(partitions):
        if time.monotonic() > deadline:
            fail(f'partitions {sorted(set(partitions) - at_end)} did not reach their end within {TIMEOUT_S} s')
        msg = consumer.poll(1)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
                continue
            raise KafkaException(msg.error())
        records.append({
            'partition': msg.partition(),
            'offset': msg.offset(),
            'key': msg.key().decode(),
            'value': msg.value().decode(),
            'timestamp': msg.timestamp()[1],
        })
    consumer.close()
    return records


def produce_consume(bootstrap, topic, partitions, count, codec):
    partitions, count = int(partitions), int(count)
    # Every value is long and repetitive, so even a one-record batch shrinks
    # when compressed (librdkafka sends a batch uncompressed when it would not).
    records = [(i % partitions, f'key-{i}', f'value {i} ' + 'xyz' * (20 + i % 50), None) for i in range(count)]
    delivered = produce_all(bootstrap, topic, records, {'compression.type': codec})
    consumed = consume_to_end(bootstrap, topic, {p: 0 for p in range(partitions)})
    # A second consumer assigned to partition 0 only, from its sixth record.
    from_sixth = consume_to_end(bootstrap, topic, {0: 5})
    return {'delivered': delivered, 'consumed': consumed, 'fromSixth': from_sixth}


def secure_round_trip(bootstrap, topic, config_json):
    """Produces ten records to partition 0 and reads them back, both clients with
    the security settings of CONFIG_JSON (security.protocol, ssl.*, sasl.*)."""
    config = json.loads(config_json)
    records = [(0, f'key-{i}', f'secure value {i}', None) for i in range(10)]
    delivered = produce_all(bootstrap, topic, records, config)
    consumed = consume_to_end(bootstrap, topic, {0: 0}, config)
    return {'delivered': delivered, 'consumed': [[r['key'], r['value']] for r in consumed]}


def produce_one(bootstrap, topic, config_json):
    """Produces one record with the settings of CONFIG_JSON; returns the name of
    the error its delivery report carries, or None when it was delivered."""
    producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', **json.loads(config_json)})
    reports = []
    producer.produce(topic, key='k', value='v', on_delivery=lambda err, msg: reports.append(err))
    if producer.flush(TIMEOUT_S):
        fail(f'the record is still undelivered after {TIMEOUT_S} s')
    return {'error': None if reports[0] is None else reports[0].name()}


def offsets_for_times(bootstrap, topic):
    # Two generations on partition 0 with explicit create times an hour apart.
    base = int(time.time() * 1000) - 3_600_000
    older = [(0, f'old-{i}', f'o{i}', base + i) for i in range(10)]
    newer = [(0, f'new-{i}', f'n{i}', base + 1_800_000 + i) for i in range(5)]
    produce_all(bootstrap, topic, older + newer)
    consumer = assigned_consumer(bootstrap, [TopicPartition(topic, 0, 0)])
    queries = {
        'beforeAll': base - 1,
        'firstOld': base,
        'midOld': base + 4,
        'betweenGenerations': base + 1000,
        'lastNew': base + 1_800_000 + 4,
        'afterAll': base + 1_800_000 + 5,
    }
    answers = {}
    for name, ts in queries.items():
        [tp] = consumer.offsets_for_times([TopicPartition(topic, 0, ts)], TIMEOUT_S)
        if tp.error is not None:
            raise KafkaException(tp.error)
        answers[name] = tp.offset
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), TIMEOUT_S)
    consumer.close()
    return {'offsets': answers, 'low': low, 'high': high}


def describe(md, topic_names):
    topics = {}
    for name in topic_names:
        t = md.topics.get(name)
        if t is None:
            topics[name] = None
            continue
        topics[name] = {
            'error': None if t.error is None else t.error.name(),
            'partitions': sorted([p.id, p.leader, list(p.replicas), list(p.isrs)] for p in t.partitions.values()),
        }
    return topics


def metadata(bootstrap, *topic_names):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    md = admin.list_topics(timeout=TIMEOUT_S)
    return {
        'clusterId': md.cluster_id,
        'controllerId': md.controller_id,
        'brokers': sorted([b.id, b.host, b.port] for b in md.brokers.values()),
        'allTopics': sorted(md.topics.keys()),
        'topics': describe(md, topic_names),
    }


def admin(bootstrap, topic):
    client = AdminClient({'bootstrap.servers': bootstrap})
    out = {}
    client.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])[topic].result(TIMEOUT_S)
    out['afterCreate'] = describe(client.list_topics(topic=topic, timeout=TIMEOUT_S), [topic])[topic]
    try:
        client.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(TIMEOUT_S)
        out['createAgain'] = None
    except KafkaException as e:
        out['createAgain'] = e.args[0].name()
    client.delete_topics([topic])[topic].result(TIMEOUT_S)
    out['afterDelete'] = sorted(client.list_topics(timeout=TIMEOUT_S).topics.keys())
    try:
        client.delete_topics([topic])[topic].result(TIMEOUT_S)
        out['deleteAgain'] = None
    except KafkaException as e:
        out['deleteAgain'] = e.args[0].name()
    return out


COMMANDS = {
    'produce-consume': produce_consume,
    'offsets-for-times': offsets_for_times,
    'metadata': metadata,
    'admin': admin,
    'secure-round-trip': secure_round_trip,
    'produce-one': produce_one,
}

if __name__ == '__main__':
    command, *args = sys.argv[1:]
    print(json.dumps(COMMANDS[command](*args)))
