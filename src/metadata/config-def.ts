// One config setting as Kafka describes it (name, type, default, unit, validator,
// dynamic or not) plus whether Sluice acts on it. The topic, broker and group
// tables (topic-configs.ts, broker-configs.ts, group-configs.ts) are lists of
// these; DescribeConfigs, CreateTopics and the two AlterConfigs APIs read them.

/** A resource's config overrides by Kafka name, as stored by the control plane. */
export type ConfigMap = Record<string, string>;

/** Kafka's ConfigDef.Type names. */
export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

/** DescribeConfigs v3+ `config_type` codes. */
export const CONFIG_TYPE_CODE: Record<ConfigType, number> = { boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9 };

/** DescribeConfigs v1+ `config_source` codes. */
export const ConfigSource = {
  TOPIC: 1,
  DYNAMIC_BROKER: 2,
  DYNAMIC_DEFAULT_BROKER: 3,
  STATIC_BROKER: 4,
  DEFAULT: 5,
  GROUP: 8,
} as const;

/** Kafka's names of the config sources (its ConfigEntry.ConfigSource), as tools print them. */
const CONFIG_SOURCE_NAMES: Record<number, string> = {
  [ConfigSource.TOPIC]: 'DYNAMIC_TOPIC_CONFIG',
  [ConfigSource.DYNAMIC_BROKER]: 'DYNAMIC_BROKER_CONFIG',
  [ConfigSource.DYNAMIC_DEFAULT_BROKER]: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  [ConfigSource.STATIC_BROKER]: 'STATIC_BROKER_CONFIG',
  [ConfigSource.DEFAULT]: 'DEFAULT_CONFIG',
  [ConfigSource.GROUP]: 'GROUP_CONFIG',
};

export function configSourceName(source: number): string {
  return CONFIG_SOURCE_NAMES[source] ?? 'UNKNOWN';
}

/** Returns why a value is refused, or null when it is valid. */
export type Validator = (value: string) => string | null;

export interface ConfigDef {
  /** Kafka's name. */
  name: string;
  type: ConfigType;
  /** Unit of the value, given in the documentation (ms, bytes, ...). */
  unit?: string;
  /** What the setting means, in a sentence or two. */
  doc: string;
  validate: Validator;
  /**
   * `applied`: Sluice acts on it. `stored`: accepted, kept and described, with
   * no effect on this broker; the documentation DescribeConfigs v3+ carries says so.
   */
  effect: 'applied' | 'stored';
  /** Whether AlterConfigs / IncrementalAlterConfigs may change it while the broker runs. */
  dynamic: boolean;
}

/** One described config: its value and where that value comes from, with the synonyms that lost to it. */
export interface DescribedConfig {
  def: ConfigDef;
  value: string;
  source: number;
  readOnly: boolean;
  /** Every place the value could come from, highest precedence first (DescribeConfigs v1+ with include_synonyms). */
  synonyms: { name: string; value: string; source: number }[];
}

/** The documentation field of DescribeConfigs v3+: the doc, the unit and, for stored-only settings, that they do nothing here. */
export function documentation(def: ConfigDef): string {
  const unit = def.unit ? ` (${def.unit})` : '';
  const effect = def.effect === 'stored' ? ' Sluice stores and describes this setting; it has no effect on this broker.' : '';
  return `${def.doc}${unit}${effect}`;
}

export const INT_MAX = 2 ** 31 - 1;
export const LONG_MAX = '9223372036854775807';

function integerIn(value: string, min: bigint, max: bigint): boolean {
  if (!/^-?\d{1,19}$/.test(value.trim())) return false;
  const n = BigInt(value.trim());
  return n >= min && n <= max;
}

function rangeText(min: bigint | number, max: bigint | number, top: bigint | number): string {
  return max === top ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
}

/** A LONG in [min, max]. */
export function long(min: number, max: bigint = BigInt(LONG_MAX)): Validator {
  return (v) => (integerIn(v, BigInt(min), max) ? null : `must be ${rangeText(BigInt(min), max, BigInt(LONG_MAX))}`);
}

/** An INT in [min, max]. */
export function int(min: number, max = INT_MAX): Validator {
  return (v) => (integerIn(v, BigInt(min), BigInt(max)) ? null : `must be ${rangeText(min, max, INT_MAX)}`);
}

/** A DOUBLE in [min, max]. */
export function double(min: number, max: number): Validator {
  return (v) => {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) && n >= min && n <= max ? null : `must be a number from ${min} to ${max}`;
  };
}

/** true or false, in any case, as Kafka parses booleans. */
export const bool: Validator = (v) => (/^(true|false)$/i.test(v.trim()) ? null : 'must be true or false');

/** One of `values`, case-sensitive as Kafka's ValidString. */
export function oneOf(values: readonly string[]): Validator {
  return (v) => (values.includes(v) ? null : `must be one of ${values.join(', ')}`);
}

/** A comma-separated list whose items are each one of `values`; empty is allowed, as Kafka's ValidList. */
export function listOf(values: readonly string[]): Validator {
  return (v) => (splitList(v).every((i) => values.includes(i)) ? null : `must be a comma-separated list of ${values.join(', ')}`);
}

/** Any string of at most `maxLength` characters. */
export function text(maxLength: number): Validator {
  return (v) => (v.length <= maxLength ? null : `must be at most ${maxLength} characters`);
}

/** The items of a LIST value, trimmed, empty ones dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Returns why the first unknown name or bad value of `configs` is refused (`kind` names the table), or null. */
export function firstProblem(configs: ConfigMap, defOf: (name: string) => ConfigDef | undefined, kind: string): string | null {
  for (const [name, value] of Object.entries(configs)) {
    const def = defOf(name);
    if (!def) return `unknown ${kind} config "${name}"`;
    const problem = def.validate(value);
    if (problem) return `${name} ${problem}, got "${value}"`;
  }
  return null;
}
