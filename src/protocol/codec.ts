// Encodes and decodes messages described in schema.ts, for one version at a
// time. A field absent from a version decodes to its default, so callers see
// one shape for every version; on encode it is skipped.

import { MalformedFrameError } from './malformed-frame-error.js';
import { Reader } from './reader.js';
import { type Field, type MessageSchema, type Primitive, inRange } from './schema.js';
import { Writer } from './writer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

const ZERO_UUID = Buffer.alloc(16);
const EMPTY = Buffer.alloc(0);

/** Smallest encoded size of one value, used to bound array counts. */
function minSize(type: Primitive | Field[]): number {
  if (Array.isArray(type)) return 0;
  switch (type) {
    case 'bool':
    case 'int8':
      return 1;
    case 'int16':
    case 'uint16':
      return 2;
    case 'int32':
    case 'uint32':
      return 4;
    case 'int64':
    case 'float64':
      return 8;
    case 'uuid':
      return 16;
    default:
      return 1;
  }
}

/** The value a field takes when absent; null only where `version` allows null. */
function defaultOf(field: Field, version: number): unknown {
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
      return nullable ? null : EMPTY;
    case 'uuid':
      return ZERO_UUID;
    default:
      return 0;
  }
}

/**
 * Whether a tagged field holds its default, and so is left off the wire. Kafka
 * writes a tagged field only when it differs from its default, so clients may
 * assume tagged sections are usually empty (@platformatic/kafka 1.x cannot
 * parse a non-empty one inside a struct); decoding restores the default.
 */
function isDefaultValue(field: Field, value: unknown, version: number): boolean {
  if (value === undefined || value === null) return true;
  const d = defaultOf(field, version);
  if (Array.isArray(value)) return value.length === 0 && Array.isArray(d);
  if (Buffer.isBuffer(value)) return Buffer.isBuffer(d) && value.equals(d);
  return value === d;
}

function readPrimitive(r: Reader, type: Primitive, compact: boolean): unknown {
  switch (type) {
    case 'bool':
      return r.bool();
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'string':
      return r.string(compact);
    case 'uuid':
      return r.uuid();
    case 'bytes':
    case 'records':
      return r.bytes(compact);
  }
}

function writePrimitive(w: Writer, type: Primitive, value: unknown, compact: boolean): void {
  switch (type) {
    case 'bool':
      w.bool(Boolean(value));
      return;
    case 'int8':
      w.int8(value as number);
      return;
    case 'int16':
      w.int16(value as number);
      return;
    case 'uint16':
      w.uint16(value as number);
      return;
    case 'int32':
      w.int32(value as number);
      return;
    case 'uint32':
      w.uint32(value as number);
      return;
    case 'int64':
      w.int64(value as number | bigint);
      return;
    case 'float64':
      w.float64(value as number);
      return;
    case 'string':
      w.string((value ?? null) as string | null, compact);
      return;
    case 'uuid':
      w.raw((value as Buffer | undefined) ?? ZERO_UUID);
      return;
    case 'bytes':
    case 'records':
      w.bytes((value ?? null) as Buffer | null, compact);
      return;
  }
}

export class MessageCodec {
  constructor(readonly schema: MessageSchema) {}

  isFlexible(version: number): boolean {
    return version >= this.schema.flexibleFrom;
  }

  decode(r: Reader, version: number): Message {
    return this.readStruct(r, this.schema.fields, version, this.isFlexible(version));
  }

  encode(w: Writer, msg: Message, version: number): Writer {
    this.writeStruct(w, this.schema.fields, msg, version, this.isFlexible(version));
    return w;
  }

  private readStruct(r: Reader, fields: Field[], version: number, flexible: boolean): Message {
    const out: Message = {};
    for (const field of fields) {
      // Tagged fields come from the tagged section below, and exist only in flexible versions (as writeStruct writes them).
      out[field.name] =
        inRange(field.versions, version) && field.tag === null
          ? this.readValue(r, field, version, flexible)
          : defaultOf(field, version);
    }
    if (flexible) this.readTaggedFields(r, fields, out, version);
    return out;
  }

  private readTaggedFields(r: Reader, fields: Field[], out: Message, version: number): void {
    const count = r.tagCount();
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      const end = r.offset + size;
      if (end > r.end) throw new MalformedFrameError(`tagged field ${tag} of ${size} bytes overruns the frame`);
      const field = fields.find((x) => x.tag === tag && inRange(x.versions, version));
      if (field) {
        out[field.name] = this.readValue(new Reader(r.buf, r.offset, end), field, version, true);
      }
      r.offset = end;
    }
  }

  private readValue(r: Reader, field: Field, version: number, flexible: boolean): unknown {
    const nullable = inRange(field.nullable, version);
    if (field.array) {
      const n = r.arrayLength(flexible, minSize(field.type));
      if (n === -1) {
        if (!nullable) throw new MalformedFrameError(`${field.name} may not be null`);
        return null;
      }
      const items = new Array(n);
      for (let i = 0; i < n; i++) {
        items[i] = this.readOne(r, field.type, version, flexible);
        // Elements of a primitive array are never nullable (Kafka's schemas have no such type): a null one would reach handlers as a missing name.
        if (items[i] === null) throw new MalformedFrameError(`${field.name}[${i}] may not be null`);
      }
      return items;
    }
    if (Array.isArray(field.type) && nullable) {
      // Nullable structs carry a presence byte: -1 null, 1 present.
      if (r.int8() < 0) return null;
    }
    const v = this.readOne(r, field.type, version, flexible);
    if (v === null && !nullable) throw new MalformedFrameError(`${field.name} may not be null`);
    return v;
  }

  private readOne(r: Reader, type: Primitive | Field[], version: number, flexible: boolean): unknown {
    return Array.isArray(type) ? this.readStruct(r, type, version, flexible) : readPrimitive(r, type, flexible);
  }

  private writeStruct(w: Writer, fields: Field[], msg: Message, version: number, flexible: boolean): void {
    let tagged: Field[] | null = null;
    for (const field of fields) {
      if (!inRange(field.versions, version)) continue;
      if (field.tag !== null) {
        if (flexible && !isDefaultValue(field, msg[field.name], version)) (tagged ??= []).push(field);
        continue;
      }
      // An explicit null stays null where the version allows it (Metadata's
      // topics: null means "all topics"); otherwise a missing value takes the default.
      const value = msg[field.name];
      const keepNull = value === null && inRange(field.nullable, version);
      this.writeValue(w, field, keepNull ? null : (value ?? defaultOf(field, version)), version, flexible);
    }
    if (!flexible) return;
    if (tagged === null) {
      w.uvarint(0);
      return;
    }
    tagged.sort((x, y) => (x.tag as number) - (y.tag as number));
    w.uvarint(tagged.length);
    for (const field of tagged) {
      const inner = new Writer(64);
      this.writeValue(inner, field, msg[field.name], version, true);
      const bytes = inner.toBuffer();
      w.uvarint(field.tag as number).uvarint(bytes.length).raw(bytes);
    }
  }

  private writeValue(w: Writer, field: Field, value: unknown, version: number, flexible: boolean): void {
    if (field.array) {
      if (value === null) {
        w.length32(-1, flexible);
        return;
      }
      const items = value as unknown[];
      w.length32(items.length, flexible);
      for (const item of items) this.writeOne(w, field.type, item, version, flexible);
      return;
    }
    if (Array.isArray(field.type) && inRange(field.nullable, version)) {
      if (value === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
    }
    this.writeOne(w, field.type, value, version, flexible);
  }

  private writeOne(w: Writer, type: Primitive | Field[], value: unknown, version: number, flexible: boolean): void {
    if (Array.isArray(type)) this.writeStruct(w, type, (value ?? {}) as Message, version, flexible);
    else writePrimitive(w, type, value, flexible);
  }
}
