// Which records of a batch a share group's filter (share.filter,
// metadata/share-filter.ts) lets through, read from the records section's
// bytes: the key, headers and value are located in place, and only what the
// filter names is decoded (a header's value as UTF-8, the value as JSON once
// per record, and only when a `value` field is named).
//
// Meaning: a header or key compares as its UTF-8 text; a field that is
// missing (no such header, a value that is not JSON or lacks the path)
// matches no comparison, except that != is "not ==" and so matches. Numbers
// compare with numbers and with text that is a decimal number ("10" > 9).

import type { FilterField, FilterLiteral, ShareFilter } from '../../metadata/share-filter.js';
import { cursor, skipBytes, varint, varlong } from '../../protocol/record-varints.js';

const MISSING = Symbol('missing');
type FieldValue = unknown | typeof MISSING;

const DECIMAL = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

/** One record's fields, located in the records section and decoded on demand. */
class RecordFields {
  private json: FieldValue | undefined;

  constructor(
    private readonly body: Buffer,
    private readonly keyStart: number,
    private readonly keyEnd: number,
    private readonly valueStart: number,
    private readonly valueEnd: number,
    private readonly headerCount: number,
    private readonly headersAt: number,
    private readonly end: number,
  ) {}

  get(field: FilterField): FieldValue {
    if (field.kind === 'key') return this.keyStart < 0 ? null : this.body.toString('utf8', this.keyStart, this.keyEnd);
    if (field.kind === 'header') return this.header(field.name);
    let v = this.value();
    for (const segment of field.path) {
      if (typeof segment === 'number') v = Array.isArray(v) && segment < v.length ? v[segment] : MISSING;
      else v = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, segment) ? (v as Record<string, unknown>)[segment] : MISSING;
      if (v === MISSING) break;
    }
    return v;
  }

  /** The first header named `name`: its text, null for a null value, MISSING when there is none. */
  private header(name: string): FieldValue {
    let p = this.headersAt;
    for (let h = 0; h < this.headerCount; h++) {
      const keyStart = skipBytes(this.body, p, this.end);
      const keyEnd = cursor;
      const valueStart = skipBytes(this.body, cursor, this.end);
      p = cursor;
      if (keyStart >= 0 && this.body.toString('utf8', keyStart, keyEnd) === name) return valueStart < 0 ? null : this.body.toString('utf8', valueStart, p);
    }
    return MISSING;
  }

  private value(): FieldValue {
    if (this.json === undefined) {
      try {
        this.json = this.valueStart < 0 ? MISSING : JSON.parse(this.body.toString('utf8', this.valueStart, this.valueEnd));
      } catch {
        this.json = MISSING;
      }
    }
    return this.json;
  }
}

function asNumber(v: FieldValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return NaN;
}

function equals(v: FieldValue, literal: FilterLiteral): boolean {
  if (typeof literal === 'number') return asNumber(v) === literal;
  return v === literal;
}

/** Whether the record `r` passes `filter`. */
function matches(filter: ShareFilter, r: RecordFields): boolean {
  switch (filter.op) {
    case 'and':
      return matches(filter.left, r) && matches(filter.right, r);
    case 'or':
      return matches(filter.left, r) || matches(filter.right, r);
    case 'not':
      return !matches(filter.operand, r);
    case 'exists':
      return r.get(filter.field) !== MISSING;
    case '==':
      return equals(r.get(filter.field), filter.literal);
    case '!=':
      return !equals(r.get(filter.field), filter.literal);
    case 'startsWith': {
      const v = r.get(filter.field);
      return typeof v === 'string' && v.startsWith(filter.literal);
    }
    default: {
      const n = asNumber(r.get(filter.field));
      if (Number.isNaN(n)) return false;
      if (filter.op === '<') return n < filter.literal;
      if (filter.op === '<=') return n <= filter.literal;
      if (filter.op === '>') return n > filter.literal;
      return n >= filter.literal;
    }
  }
}

/**
 * Whether the record body[start, end) of a (decompressed) records section
 * (length prefix included) passes `filter`. Throws MalformedFrameError when a
 * length overruns the record.
 */
export function recordPasses(body: Buffer, start: number, end: number, filter: ShareFilter): boolean {
  varint(body, start, end); // length
  varlong(body, cursor + 1, end); // after the attributes: timestampDelta
  varint(body, cursor, end); // offsetDelta
  const keyStart = skipBytes(body, cursor, end);
  const keyEnd = cursor;
  const valueStart = skipBytes(body, cursor, end);
  const valueEnd = cursor;
  const headerCount = varint(body, cursor, end);
  return matches(filter, new RecordFields(body, keyStart, keyEnd, valueStart, valueEnd, headerCount, cursor, end));
}
