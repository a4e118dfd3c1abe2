/**
 * The one place that reads and writes the JSON RocketMQ's Java side speaks.
 *
 * fastjson (what the Java broker, NameServer and client serialise with) writes maps with non-string
 * keys unquoted: `{"brokerAddrs":{0:"10.0.0.1:10911"}}`, consumer offsets `{"T@G":{0:12}}`, and maps
 * keyed by objects with the key written as an object: ConsumeStats.offsetTable is
 * `{{"brokerName":"b","queueId":0,"topic":"T"}:{...}}`. JSON.parse rejects all of these, so we try it
 * first (it is native and fast) and fall back to a small tolerant parser that also accepts
 * single-quoted strings, unquoted identifier keys, trailing commas and NaN/Infinity.
 *
 * We write standard JSON with quoted keys: fastjson reads `"0"` as the Long key 0, and ali-ons reads
 * with JSON2, which accepts both.
 */

export interface LenientJsonOptions {
  /** Integers beyond 2^53 become bigint instead of a rounded number (default false, as JSON.parse). */
  bigints?: boolean;
}

export class LenientJsonError extends SyntaxError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'LenientJsonError';
  }
}

export function parseLenientJson(text: string | Buffer, options?: LenientJsonOptions): unknown {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  if (options?.bigints !== true) {
    try {
      return JSON.parse(s);
    } catch {
      // not standard JSON: fastjson's dialect, handled below
    }
  }
  return new LenientParser(s, options?.bigints === true).parseDocument();
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);
const NUMBER_RE = /-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENT_RE = /[A-Za-z_$][\w$]*/y;

class LenientParser {
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly bigints: boolean,
  ) {}

  parseDocument(): unknown {
    const value = this.parseValue();
    this.skipWs();
    if (this.pos < this.s.length) this.fail('unexpected trailing characters');
    return value;
  }

  private fail(message: string): never {
    throw new LenientJsonError(message, this.pos);
  }

  private skipWs(): void {
    const s = this.s;
    while (this.pos < s.length && WS.has(s.charCodeAt(this.pos))) this.pos++;
  }

  private parseValue(): unknown {
    this.skipWs();
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.parseObject();
      case '[':
        return this.parseArray();
      case '"':
      case "'":
        return this.parseString(c);
      case undefined:
        return this.fail('unexpected end of input');
      default:
        break;
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
    IDENT_RE.lastIndex = this.pos;
    const m = IDENT_RE.exec(this.s);
    if (m !== null) {
      this.pos += m[0].length;
      switch (m[0]) {
        case 'true':
          return true;
        case 'false':
          return false;
        case 'null':
        case 'undefined':
          return null;
        case 'NaN':
          return Number.NaN;
        case 'Infinity':
          return Number.POSITIVE_INFINITY;
        default:
          this.pos -= m[0].length;
      }
    }
    return this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private parseNumber(): number | bigint {
    if (this.s.startsWith('-Infinity', this.pos)) {
      this.pos += 9;
      return Number.NEGATIVE_INFINITY;
    }
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.s);
    if (m === null) return this.fail('bad number');
    this.pos += m[0].length;
    const n = Number(m[0]);
    if (this.bigints && !Number.isSafeInteger(n) && /^-?\d+$/.test(m[0])) return BigInt(m[0]);
    return n;
  }

  private parseString(quote: string): string {
    const s = this.s;
    let i = this.pos + 1;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= s.length) {
        this.pos = i;
        return this.fail('unterminated string');
      }
      const c = s[i];
      if (c === quote) {
        out += s.slice(start, i);
        this.pos = i + 1;
        return out;
      }
      if (c === '\\') {
        out += s.slice(start, i);
        const e = s[i + 1];
        i += 2;
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'u': {
            const hex = s.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              this.pos = i;
              return this.fail('bad \\u escape');
            }
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          case 'x': {
            const hex = s.slice(i, i + 2);
            if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
              this.pos = i;
              return this.fail('bad \\x escape');
            }
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 2;
            break;
          }
          case undefined:
            this.pos = i;
            return this.fail('unterminated string');
          default:
            // \" \' \\ \/ and anything else: the character itself
            out += e;
        }
        start = i;
        continue;
      }
      i++;
    }
  }

  /** A key: quoted string, bare number or identifier, or (fastjson's Map<Object,?>) an object or array. */
  private parseKey(): string {
    const c = this.s[this.pos];
    if (c === '"' || c === "'") return this.parseString(c);
    if (c === '{' || c === '[') return toJson(this.parseValue());
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER_RE.lastIndex = this.pos;
      const m = NUMBER_RE.exec(this.s);
      if (m !== null) {
        this.pos += m[0].length;
        return m[0];
      }
    }
    IDENT_RE.lastIndex = this.pos;
    const m = IDENT_RE.exec(this.s);
    if (m === null) return this.fail('expected an object key');
    this.pos += m[0].length;
    return m[0];
  }

  private parseObject(): Record<string, unknown> {
    this.pos++; // {
    const obj: Record<string, unknown> = {};
    for (;;) {
      this.skipWs();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return obj;
      }
      const key = this.parseKey();
      this.skipWs();
      if (this.s[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      const value = this.parseValue();
      if (key === '__proto__') {
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        obj[key] = value;
      }
      this.skipWs();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
      } else if (c === '}') {
        this.pos++;
        return obj;
      } else {
        this.fail("expected ',' or '}'");
      }
    }
  }

  private parseArray(): unknown[] {
    this.pos++; // [
    const arr: unknown[] = [];
    for (;;) {
      this.skipWs();
      if (this.s[this.pos] === ']') {
        this.pos++;
        return arr;
      }
      arr.push(this.parseValue());
      this.skipWs();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
      } else if (c === ']') {
        this.pos++;
        return arr;
      } else {
        this.fail("expected ',' or ']'");
      }
    }
  }
}

/**
 * Standard JSON, with the Java types our values stand for: Map -> object, Set -> array,
 * bigint -> bare integer (a Java long), Buffer -> base64 (fastjson's byte[]), Date -> epoch millis.
 * Undefined fields are omitted; an explicit null is kept (fastjson readers treat both alike).
 *
 * One exception to "standard": a Map whose keys are objects is written the way fastjson writes a
 * Map<MessageQueue, ?>, with the object itself as the key, because that is the only shape a Java
 * reader accepts for it.
 */
export function toJson(value: unknown): string {
  return write(value) ?? 'null';
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return writeArray(value);
  if (value instanceof Set) return writeArray([...value]);
  if (value instanceof Map) return writeMap(value);
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64')); // fastjson: byte[] as base64
  if (value instanceof Date) return String(value.getTime()); // fastjson: Date as epoch millis
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return write(toJSON.call(value));
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(obj)) {
    const v = write(obj[key]);
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${v}`;
    first = false;
  }
  return `${out}}`;
}

function writeArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += `${i === 0 ? '' : ','}${write(items[i]) ?? 'null'}`;
  return `${out}]`;
}

function writeMap(map: Map<unknown, unknown>): string {
  let out = '{';
  let first = true;
  for (const [k, v] of map) {
    const written = write(v);
    if (written === undefined) continue;
    const key = k !== null && typeof k === 'object' ? write(k) : JSON.stringify(String(k));
    out += `${first ? '' : ','}${key}:${written}`;
    first = false;
  }
  return `${out}}`;
}
