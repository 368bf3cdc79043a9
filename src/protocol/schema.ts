// Sluice's own description of Kafka messages: a message is a list of fields,
// each present in a range of versions. One definition serves both directions
// (the broker decodes requests and encodes responses; the client does the
// reverse), and the codec in codec.ts interprets it.

export type Primitive =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'uuid'
  | 'bytes'
  | 'records';

/** Inclusive version range; max is Infinity for "N+". */
export interface VersionRange {
  min: number;
  max: number;
}

export interface Field {
  name: string;
  /** A primitive, or the fields of a struct. */
  type: Primitive | Field[];
  array: boolean;
  versions: VersionRange;
  nullable: VersionRange | null;
  /** Tagged field number (KIP-482); only written in flexible versions. */
  tag: number | null;
  default: unknown;
}

export interface MessageSchema {
  name: string;
  apiKey: number;
  versions: VersionRange;
  /** First flexible version (compact encodings and tagged fields), or Infinity. */
  flexibleFrom: number;
  fields: Field[];
}

export function range(spec: string): VersionRange {
  if (spec === 'none') return { min: Infinity, max: -Infinity };
  if (spec.endsWith('+')) return { min: Number(spec.slice(0, -1)), max: Infinity };
  const [min, max] = spec.split('-').map(Number);
  return { min, max: max ?? min };
}

export function inRange(r: VersionRange | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

interface FieldOptions {
  nullable?: string;
  tag?: number;
  default?: unknown;
}

function field(name: string, type: Primitive | Field[], array: boolean, versions: string, opts: FieldOptions): Field {
  return {
    name,
    type,
    array,
    versions: range(versions),
    nullable: opts.nullable ? range(opts.nullable) : null,
    tag: opts.tag ?? null,
    default: opts.default,
  };
}

/** A primitive field; `[]type` for an array of primitives. */
export function f(name: string, type: Primitive | `[]${Primitive}`, versions = '0+', opts: FieldOptions = {}): Field {
  const array = type.startsWith('[]');
  return field(name, (array ? type.slice(2) : type) as Primitive, array, versions, opts);
}

/** A struct field. */
export function s(name: string, versions: string, fields: Field[], opts: FieldOptions = {}): Field {
  return field(name, fields, false, versions, opts);
}

/** An array of structs. */
export function a(name: string, versions: string, fields: Field[], opts: FieldOptions = {}): Field {
  return field(name, fields, true, versions, opts);
}

export function message(apiKey: number, name: string, versions: string, flexible: string, fields: Field[]): MessageSchema {
  return { name, apiKey, versions: range(versions), flexibleFrom: range(flexible).min, fields };
}
