// The `share.filter` group config: which records a share group delivers, as
// an expression over a record's key, headers and the fields of its JSON value.
// Parsed by hand (recursive descent) into a small tree; a bad expression is
// refused when it is set, with the column where it goes wrong.
//
//   filter     := or
//   or         := and ("or" and)*
//   and        := unary ("and" unary)*
//   unary      := "not" unary | "(" or ")" | "exists" field | comparison
//   comparison := field ("==" | "!=") literal
//               | field ("<" | "<=" | ">" | ">=") number
//               | field "startsWith" string
//   field      := "key" | "header" name | "value" (name | "[" integer "]")*
//   name       := "." [A-Za-z0-9_-]+ | "[" string "]"
//   literal    := string | number | "true" | "false" | "null"
//   string     := '"' (any but '"' and '\', or '\"', '\\') '"'
//
//   header.type == "created" and value.total > 10
//   header["content.kind"] startsWith "order." or not exists value.customer.id

/** A record field a filter reads: the key, a header's value, or a path into the JSON value. */
export type FilterField = { kind: 'key' } | { kind: 'header'; name: string } | { kind: 'value'; path: (string | number)[] };

export type FilterLiteral = string | number | boolean | null;

export type ShareFilter =
  | { op: 'and' | 'or'; left: ShareFilter; right: ShareFilter }
  | { op: 'not'; operand: ShareFilter }
  | { op: 'exists'; field: FilterField }
  | { op: '==' | '!='; field: FilterField; literal: FilterLiteral }
  | { op: '<' | '<=' | '>' | '>='; field: FilterField; literal: number }
  | { op: 'startsWith'; field: FilterField; literal: string };

/** A filter that cannot be parsed; `column` counts from 1. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly column: number,
    detail: string,
  ) {
    super(`at column ${column}: ${detail}`);
    this.name = 'FilterSyntaxError';
  }
}

/** Longest expression accepted: a filter is a rule, not a program. */
export const MAX_FILTER_LENGTH = 4096;
/** Deepest nesting accepted (parentheses and "not"), so a hostile config cannot exhaust the stack. */
const MAX_DEPTH = 64;

const NAME = /[A-Za-z0-9_-]/;
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
const COMPARISONS = ['==', '!=', '<=', '>=', '<', '>'] as const;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parse(): ShareFilter {
    const filter = this.or();
    this.space();
    if (this.pos < this.text.length) this.fail(`expected "and", "or" or the end, found ${this.found()}`);
    return filter;
  }

  private or(): ShareFilter {
    let left = this.and();
    while (this.keyword('or')) left = { op: 'or', left, right: this.and() };
    return left;
  }

  private and(): ShareFilter {
    let left = this.unary();
    while (this.keyword('and')) left = { op: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): ShareFilter {
    if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH}`);
    try {
      if (this.keyword('not')) return { op: 'not', operand: this.unary() };
      if (this.keyword('exists')) return { op: 'exists', field: this.field() };
      this.space();
      if (this.text[this.pos] === '(') {
        this.pos++;
        const inner = this.or();
        this.expect(')');
        return inner;
      }
      return this.comparison();
    } finally {
      this.depth--;
    }
  }

  private comparison(): ShareFilter {
    const field = this.field();
    this.space();
    if (this.keyword('startsWith')) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail(`expected a string after startsWith, found ${this.found()}`);
      return { op: 'startsWith', field, literal: this.string() };
    }
    const op = COMPARISONS.find((c) => this.text.startsWith(c, this.pos));
    if (op === undefined) this.fail(`expected ==, !=, <, <=, >, >= or startsWith, found ${this.found()}`);
    this.pos += op.length;
    this.space();
    const at = this.pos;
    const literal = this.literal();
    if (op === '==' || op === '!=') return { op, field, literal };
    if (typeof literal !== 'number') {
      this.pos = at;
      this.fail(`${op} compares numbers: expected a number`);
    }
    return { op, field, literal };
  }

  private field(): FilterField {
    this.space();
    const start = this.pos;
    const root = this.name();
    if (root === 'key') return { kind: 'key' };
    if (root === 'header') return { kind: 'header', name: this.segment(true) as string };
    if (root === 'value') {
      const path: (string | number)[] = [];
      while (this.text[this.pos] === '.' || this.text[this.pos] === '[') path.push(this.segment(false));
      return { kind: 'value', path };
    }
    this.pos = start;
    return this.fail(`expected key, header.<name> or value.<path>, found ${this.found()}`);
  }

  /** `.name`, `["name"]` or (in a value path) `[index]`. */
  private segment(headerName: boolean): string | number {
    if (this.text[this.pos] === '.') {
      this.pos++;
      const name = this.name();
      if (name === '') this.fail(`expected a name after "."`);
      return name;
    }
    if (this.text[this.pos] !== '[') return this.fail(`expected "." or "[" after ${headerName ? 'header' : 'value'}, found ${this.found()}`);
    this.pos++;
    let segment: string | number;
    if (this.text[this.pos] === '"') segment = this.string();
    else {
      const digits = /\d+/y;
      digits.lastIndex = this.pos;
      const m = digits.exec(this.text);
      if (!m || headerName) this.fail(headerName ? 'expected a quoted header name' : 'expected a quoted name or an index');
      segment = Number(m![0]);
      this.pos += m![0].length;
    }
    this.expect(']');
    return segment;
  }

  private name(): string {
    const start = this.pos;
    while (this.pos < this.text.length && NAME.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private literal(): FilterLiteral {
    this.space();
    const c = this.text[this.pos];
    if (c === '"') return this.string();
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m) {
      this.pos += m[0].length;
      return Number(m[0]);
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) if (this.keyword(word)) return value;
    return this.fail(`expected a string, a number, true, false or null, found ${this.found()}`);
  }

  private string(): string {
    const open = this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      if (this.text[this.pos] === '\\') {
        const next = this.text[this.pos + 1];
        if (next !== '"' && next !== '\\') this.fail('only \\" and \\\\ may be escaped in a string');
        out += next;
        this.pos += 2;
      } else out += this.text[this.pos++];
    }
    if (this.pos >= this.text.length) {
      this.pos = open;
      this.fail('this string is not closed');
    }
    this.pos++;
    return out;
  }

  /** Consumes `word` when it is next as a whole word. */
  private keyword(word: string): boolean {
    this.space();
    if (!this.text.startsWith(word, this.pos) || NAME.test(this.text[this.pos + word.length] ?? '')) return false;
    this.pos += word.length;
    return true;
  }

  private expect(c: string): void {
    this.space();
    if (this.text[this.pos] !== c) this.fail(`expected "${c}", found ${this.found()}`);
    this.pos++;
  }

  private space(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private found(): string {
    return this.pos >= this.text.length ? 'the end' : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }

  private fail(detail: string): never {
    throw new FilterSyntaxError(this.pos + 1, detail);
  }
}

/** Parses a `share.filter` expression; throws FilterSyntaxError saying where it is wrong. */
export function parseShareFilter(text: string): ShareFilter {
  if (text.length > MAX_FILTER_LENGTH) throw new FilterSyntaxError(MAX_FILTER_LENGTH + 1, `longer than ${MAX_FILTER_LENGTH} characters`);
  return new Parser(text).parse();
}

/** The config's validator: empty (no filter) or an expression that parses. */
export function shareFilterProblem(text: string): string | null {
  if (text.trim() === '') return null;
  try {
    parseShareFilter(text);
    return null;
  } catch (err) {
    if (err instanceof FilterSyntaxError) return `is not a valid filter ${err.message}`;
    throw err;
  }
}
