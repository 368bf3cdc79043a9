// Builds sample messages from a schema for codec tests. Every field present
// in the version gets a value different from its default (and from its
// neighbours), so a field written or read in the wrong version, or in the
// wrong place, changes the round trip. Fields absent from the version hold
// the default the codec must decode them to.

import { type Field, type MessageSchema, type Primitive, inRange } from '../../src/protocol/schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Sample = Record<string, any>;

/**
 * `filled`: every present field has a value, nullable ones included.
 * `nulls`: fields nullable in this version are null.
 * `everything`: like filled, but fields absent from the version are filled too,
 * to prove the encoder skips them.
 */
export type SampleMode = 'filled' | 'nulls' | 'everything';

/** The value a field absent from a version decodes to (codec.ts: "decodes to its default"). */
export function absentValue(field: Field, version: number): unknown {
  if (field.default !== undefined) return field.default;
  if (field.array) return [];
  if (Array.isArray(field.type)) return null;
  const nullable = inRange(field.nullable, version);
  switch (field.type) {
    case 'bool':
      return false;
    case 'string':
      return nullable ? null : '';
    case 'bytes':
    case 'records':
      return nullable ? null : Buffer.alloc(0);
    case 'uuid':
      return Buffer.alloc(16);
    default:
      return 0;
  }
}

/** Whether `field` is on the wire in `version`: tagged fields exist only in flexible versions. */
export function isPresent(field: Field, version: number, flexible: boolean): boolean {
  return inRange(field.versions, version) && (field.tag === null || flexible);
}

export class SampleBuilder {
  private n = 0;

  /** With `tagged: false`, tagged fields keep their defaults, which are not written. */
  constructor(
    private readonly mode: SampleMode,
    private readonly opts: { tagged: boolean } = { tagged: true },
  ) {}

  message(schema: MessageSchema, version: number): Sample {
    return this.struct(schema.fields, version, version >= schema.flexibleFrom);
  }

  private struct(fields: Field[], version: number, flexible: boolean): Sample {
    const out: Sample = {};
    for (const field of fields) {
      const present = isPresent(field, version, flexible) && (field.tag === null || this.opts.tagged);
      out[field.name] = present || this.mode === 'everything' ? this.value(field, version, flexible) : absentValue(field, version);
    }
    return out;
  }

  private value(field: Field, version: number, flexible: boolean): unknown {
    if (this.mode === 'nulls' && inRange(field.nullable, version)) return null;
    if (field.array) return [this.one(field, version, flexible), this.one(field, version, flexible)];
    return this.one(field, version, flexible);
  }

  private one(field: Field, version: number, flexible: boolean): unknown {
    if (Array.isArray(field.type)) return this.struct(field.type, version, flexible);
    const v = this.primitive(field.type, field.name);
    // A bool defaulting to true gets false; any other collision moves on to the next value.
    if (field.default !== undefined && v === field.default) return field.type === 'bool' ? !v : this.primitive(field.type, field.name);
    return v;
  }

  private primitive(type: Primitive, name: string): unknown {
    const n = ++this.n;
    const sign = n % 2 === 0 ? 1 : -1;
    switch (type) {
      case 'bool':
        return true;
      case 'int8':
        return sign * (n % 120 + 1);
      case 'int16':
        return sign * (1000 + n);
      case 'uint16':
        return 40000 + n; // above int16's range
      case 'int32':
        return sign * (100000 + n);
      case 'uint32':
        return 3_000_000_000 + n; // above int32's range
      case 'int64':
        return sign * (2 ** 40 + n); // needs more than 32 bits
      case 'float64':
        return n + 0.25;
      case 'string':
        return `${name}-${n}-é`; // non-ASCII: byte length differs from string length
      case 'uuid':
        return Buffer.alloc(16, n & 0xff);
      case 'bytes':
      case 'records':
        return Buffer.from([n & 0xff, 0x00, 0xff, 0x80]);
    }
  }
}

/** `sample` as it must decode in `version`: fields absent from the version replaced by their defaults, recursively. */
export function visible(schema: MessageSchema, version: number, sample: Sample): Sample {
  return visibleStruct(schema.fields, version, version >= schema.flexibleFrom, sample);
}

function visibleStruct(fields: Field[], version: number, flexible: boolean, sample: Sample): Sample {
  const out: Sample = {};
  for (const field of fields) {
    const value = sample[field.name];
    if (!isPresent(field, version, flexible)) out[field.name] = absentValue(field, version);
    else if (!Array.isArray(field.type) || value === null) out[field.name] = value;
    else if (field.array) out[field.name] = (value as Sample[]).map((item) => visibleStruct(field.type as Field[], version, flexible, item));
    else out[field.name] = visibleStruct(field.type, version, flexible, value as Sample);
  }
  return out;
}
