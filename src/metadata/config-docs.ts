// docs/configs.md, rendered from the config tables so the reference cannot
// drift from what the broker accepts; test/metadata/config-docs.test.ts checks
// the file and rewrites it with `npm run docs:configs`.

import { defaultConfig } from '../config.js';
import { BROKER_CONFIG_DEFS } from './broker-configs.js';
import type { ConfigDef } from './config-def.js';
import { GROUP_CONFIG_DEFS } from './group-configs.js';
import { TOPIC_CONFIG_DEFS } from './topic-configs.js';

function cell(text: string): string {
  return text === '' ? '""' : text.replace(/\|/g, '\\|');
}

function effect(def: ConfigDef): string {
  return def.effect === 'applied' ? 'yes' : 'no (stored)';
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function renderConfigReference(): string {
  const topics = table(
    ['name', 'type', 'default', 'unit', 'broker setting', 'effect', 'meaning'],
    TOPIC_CONFIG_DEFS.map((d) => [`\`${d.name}\``, d.type, cell(d.default), d.unit ?? '', d.brokerSynonym ? `\`${d.brokerSynonym}\`` : '', effect(d), d.doc]),
  );
  const brokers = table(
    ['name', 'type', 'default', 'unit', 'dynamic', 'effect', 'meaning'],
    BROKER_CONFIG_DEFS.map((d) => [`\`${d.name}\``, d.type, cell(d.staticValue(defaultConfig)), d.unit ?? '', d.dynamic ? 'yes' : 'no', effect(d), d.doc]),
  );
  const groups = table(
    ['name', 'type', 'default', 'unit', 'meaning'],
    GROUP_CONFIG_DEFS.map((d) => [`\`${d.name}\``, d.type, cell(d.default), d.unit ?? '', d.doc]),
  );
  return `# Configs

Generated from \`src/metadata/\` by \`npm run docs:configs\`; do not edit.

Every config Kafka 4 knows is accepted, validated and described (DescribeConfigs).
"effect: no (stored)" marks settings Sluice keeps and describes but does not act on
(a single broker has no replicas to throttle or elect, no tiered storage, ...); the
documentation field of DescribeConfigs v3+ says so too.

## Topic configs

Set at creation (\`sluice topic create -c k=v\`, CreateTopics) or later
(\`sluice topic alter\`, AlterConfigs, IncrementalAlterConfigs); a change reaches the
open partitions at once. A topic that does not set one takes the broker setting
named beside it, which may itself be changed at run time.

${topics}

## Broker configs

DescribeConfigs of broker \`<node id>\` lists them all; \`""\` lists the cluster-wide
dynamic defaults. Dynamic ones change with AlterConfigs / IncrementalAlterConfigs on
resource \`<node id>\` (this broker) or \`""\` (the cluster-wide default, which this
broker's own value beats), are kept in \`cluster.json\` and survive a restart; the
others come from \`sluice serve\` options and answer INVALID_REQUEST when altered.

${brokers}

## Group configs

Per group id (resource type GROUP), stored whether or not the group exists. Share
groups apply theirs (\`share.*\` and \`errors.deadletterqueue.topic.name\`), existing groups
from the change on; consumer-protocol groups take the broker's settings, and streams
groups are not served, so those are stored and described only.

${groups}
`;
}
