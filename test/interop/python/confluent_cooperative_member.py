"""A confluent-kafka-python consumer with partition.assignment.strategy
cooperative-sticky, for test/interop/confluent-python-cooperative.test.ts.
Run with /usr/bin/python3 (the Debian package is importable only there):

    confluent_cooperative_member.py BOOTSTRAP TOPIC GROUP

It subscribes to TOPIC in GROUP and polls until its stdin closes, then closes
the consumer (committing and leaving the group). Events on stdout, one JSON
object a line, flushed at once:

    {"event": "assign", "partitions": [0, 3]}       partitions added
    {"event": "revoke", "partitions": [3]}          partitions given up
    {"event": "lost", "partitions": [0]}            partitions lost with the membership
    {"event": "record", "partition": 0, "offset": 12}
    {"event": "closed"}
"""

import json
import sys
import threading

from confluent_kafka import Consumer, KafkaException


def emit(event):
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


def partitions(tps):
    return sorted(tp.partition for tp in tps)


def main(bootstrap, topic, group):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'partition.assignment.strategy': 'cooperative-sticky',
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 10000,
        'heartbeat.interval.ms': 200,
        'auto.commit.interval.ms': 100,
        'fetch.wait.max.ms': 100,
    })
    # Without assign calls of their own, the callbacks leave the incremental (un)assignment to the client.
    consumer.subscribe(
        [topic],
        on_assign=lambda c, tps: emit({'event': 'assign', 'partitions': partitions(tps)}),
        on_revoke=lambda c, tps: emit({'event': 'revoke', 'partitions': partitions(tps)}),
        on_lost=lambda c, tps: emit({'event': 'lost', 'partitions': partitions(tps)}),
    )
    stdin_closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stdin_closed.set()), daemon=True).start()
    while not stdin_closed.is_set():
        msg = consumer.poll(0.05)
        if msg is None:
            continue
        if msg.error():
            raise KafkaException(msg.error())
        emit({'event': 'record', 'partition': msg.partition(), 'offset': msg.offset()})
    consumer.close()
    emit({'event': 'closed'})


if __name__ == '__main__':
    main(*sys.argv[1:4])
