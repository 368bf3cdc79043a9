"""Drives confluent-kafka-python's AdminClient (librdkafka) through topic and
broker configs for test/interop/confluent-python-configs.test.ts. Run with
/usr/bin/python3 (the Debian package is importable only there):

    confluent_configs.py configs BOOTSTRAP TOPIC CONFIGS_JSON

Creates TOPIC with the configs in CONFIGS_JSON, describes it, alters
retention.ms with AlterConfigs (which replaces every override, as Kafka),
describes it again and describes broker 0. Prints one JSON object on stdout
and exits 0; any client error raises, which exits non-zero.
"""

import json
import sys

from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

TIMEOUT_S = 10


def describe(admin, resource):
    (entries,) = [f.result(TIMEOUT_S) for f in admin.describe_configs([resource]).values()]
    return {name: {'value': e.value, 'source': e.source, 'is_default': e.is_default, 'read_only': e.is_read_only} for name, e in entries.items()}


def configs(bootstrap, topic, given):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for f in admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1, config=given)], operation_timeout=TIMEOUT_S).values():
        f.result(TIMEOUT_S)
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    created = describe(admin, resource)
    for f in admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={'retention.ms': '3600000'})]).values():
        f.result(TIMEOUT_S)
    altered = describe(admin, resource)
    broker = describe(admin, ConfigResource(ConfigResource.Type.BROKER, '0'))
    return {'created': created, 'altered': altered, 'broker': broker}


if __name__ == '__main__':
    command, *args = sys.argv[1:]
    if command != 'configs':
        raise SystemExit(f'unknown command {command}')
    print(json.dumps(configs(args[0], args[1], json.loads(args[2]))))
