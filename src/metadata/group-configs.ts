// Group configs (resource type GROUP, KIP-848 / KIP-932): per-group overrides of
// the broker's group settings, stored by the control plane whether or not the
// group exists yet, as in Kafka. Ranges are Kafka's broker defaults for the
// group.consumer.*, group.share.* and group.streams.* bounds. Share groups
// read theirs through groupConfigValue each time they use one, so a change
// applies to existing groups from then on; consumer-protocol groups take the
// broker's settings, and streams groups are not served, so those are stored and
// described only.

import { shareFilterProblem } from './share-filter.js';
import { type ConfigDef, type ConfigMap, type DescribedConfig, type Validator, ConfigSource, firstProblem, int, oneOf } from './config-def.js';
import { parseShareAutoOffsetReset } from './share-auto-offset-reset.js';

export interface GroupConfigDef extends ConfigDef {
  default: string;
}

/** earliest, latest, or by_duration:<ISO-8601 duration> (KIP-1106). */
const autoOffsetReset: Validator = (v) => {
  const parsed = parseShareAutoOffsetReset(v);
  return 'problem' in parsed ? parsed.problem : null;
};

/** Empty, or a name a client could create (not an internal topic). */
const deadLetterTopic: Validator = (v) =>
  v === '' || (/^[a-zA-Z0-9._-]{1,249}$/.test(v) && v !== '.' && v !== '..' && !v.startsWith('__')) ? null : 'must be empty or a topic name of letters, digits, ".", "_" and "-" not starting with "__"';

/** Settings share groups apply (coordinator/share). */
const APPLIED = new Set([
  'errors.deadletterqueue.topic.name',
  'share.auto.offset.reset',
  'share.delivery.count.limit',
  'share.filter',
  'share.heartbeat.interval.ms',
  'share.isolation.level',
  'share.record.lock.duration.ms',
  'share.session.timeout.ms',
]);

function def(name: string, dflt: string, validate: Validator, doc: string, unit?: string): GroupConfigDef {
  const type = name.endsWith('.ms') || name.endsWith('.limit') || name.endsWith('.replicas') ? 'int' : 'string';
  return { name, type, default: dflt, validate, doc, unit, effect: APPLIED.has(name) ? 'applied' : 'stored', dynamic: true };
}

export const GROUP_CONFIG_DEFS: readonly GroupConfigDef[] = [
  def('errors.deadletterqueue.topic.name', '', deadLetterTopic, 'Topic onto which a share group copies the records it archives (rejected, or at the delivery-count limit), with headers naming where they came from and why; empty: none (KIP-1191).'),
  def('consumer.heartbeat.interval.ms', '5000', int(5000, 15000), 'Heartbeat interval of consumer-protocol members.', 'ms'),
  def('consumer.session.timeout.ms', '45000', int(45000, 60000), 'Session timeout of consumer-protocol members.', 'ms'),
  def('share.auto.offset.reset', 'latest', autoOffsetReset, 'Where a share group starts reading a partition it has no state for: earliest (the log start), latest (the high watermark), or by_duration:<ISO-8601 duration> (the first record whose timestamp is at or after now minus the duration, such as by_duration:P1D; KIP-1106).'),
  def('share.delivery.count.limit', '5', int(2, 10), 'Deliveries of a record before it is archived.'),
  def('share.filter', '', shareFilterProblem, 'Sluice: which records the share group delivers, an expression over the key, headers and JSON value fields (docs/queue-delivery.md); the others are acknowledged without being delivered. Empty: every record. Applies from the next acquisition.'),
  def('share.heartbeat.interval.ms', '5000', int(5000, 15000), 'Heartbeat interval of share group members.', 'ms'),
  def('share.isolation.level', 'read_uncommitted', oneOf(['read_committed', 'read_uncommitted']), 'read_committed: a share group delivers records below the last stable offset only, never those of aborted transactions; read_uncommitted: every record below the high watermark. Control records are never delivered.'),
  def('share.record.lock.duration.ms', '30000', int(15000, 60000), 'How long a delivered record stays locked to its consumer.', 'ms'),
  def('share.session.timeout.ms', '45000', int(45000, 60000), 'Session timeout of share group members.', 'ms'),
  def('streams.heartbeat.interval.ms', '5000', int(5000, 15000), 'Heartbeat interval of streams group members.', 'ms'),
  def('streams.num.standby.replicas', '0', int(0, 2), 'Standby replicas per task of a streams group.'),
  def('streams.session.timeout.ms', '45000', int(45000, 60000), 'Session timeout of streams group members.', 'ms'),
];

const BY_NAME = new Map(GROUP_CONFIG_DEFS.map((d) => [d.name, d]));

export function groupConfigDef(name: string): GroupConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Returns why the first unknown name or bad value is refused, or null. */
export function validateGroupConfigs(configs: ConfigMap): string | null {
  return firstProblem(configs, groupConfigDef, 'group');
}

/** The effective value of group config `name` for a group with overrides `configs`. */
export function groupConfigValue(configs: ConfigMap, name: string): string {
  return configs[name] ?? (BY_NAME.get(name) as GroupConfigDef).default;
}

/** Every group config of a group with overrides `configs`, as DescribeConfigs lists them. */
export function describeGroup(configs: ConfigMap): DescribedConfig[] {
  return GROUP_CONFIG_DEFS.map((d) => {
    const synonyms = [{ name: d.name, value: d.default, source: ConfigSource.DEFAULT as number }];
    if (configs[d.name] !== undefined) synonyms.unshift({ name: d.name, value: configs[d.name], source: ConfigSource.GROUP });
    return { def: d, value: synonyms[0].value, source: synonyms[0].source, readOnly: false, synonyms };
  });
}
