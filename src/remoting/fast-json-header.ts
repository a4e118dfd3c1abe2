/**
 * Request headers read straight from their JSON bytes into typed fields, for the hot requests (in the
 * spirit of RocketMQ 5's FastCodesHeader). JSON.parse of a header builds a string per value and a map
 * that the processor then turns into numbers again: for SEND_MESSAGE_V2 ~2.5 us a header on the
 * project's 2-core machines, ~20% of the broker's CPU per produced message. This reader makes numbers
 * from the digits, reuses the previous string when a field's bytes repeat (producer group, topic,
 * language do, request after request), and creates only the strings that change: ~1.7 us against
 * JSON.parse's ~2.2 us in the same slow stretch of the VM (a prototype that reads the outer keys at
 * fixed offsets did ~0.9 us: the generic outer loop and key matching are most of the difference).
 *
 * It takes only the plain shape Java's fastjson and our SDK write: ASCII, string values in extFields,
 * integer outer fields, JSON's escapes for ASCII characters. Anything else (an unknown key, a
 * non-string value, a non-ASCII byte, a number it cannot read exactly, a missing required field)
 * gives undefined, and the caller decodes the header the general way, which also gives malformed
 * input its usual error. So whatever this accepts decodes to the same command.
 */
import { readLatin1 } from './utf8.js';

/** The outer object's fields besides extFields, and the typed header read from extFields. */
export interface FastJsonCommand<H> {
  code: number;
  language: string;
  version: number;
  opaque: number;
  flag: number;
  remark: string | null;
  header: H;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
/** 15 digits always fit a double exactly; longer numbers go the general way. */
const MAX_DIGITS = 15;

export /** The last string made for one field, by its bytes: producer group, topic and language repeat. */
class StringSlot {
  private bytes = Buffer.alloc(64);
  private length = -1;
  private value = '';

  /** The string last made, when matchQuoted matched. */
  get last(): string {
    return this.value;
  }

  /**
   * When buf holds this slot's bytes at `at` followed by the closing quote: the position after the
   * quote, else -1. The bytes are those of a plain string (get only sees those), so no escape can hide.
   */
  matchQuoted(buf: Buffer, at: number, end: number): number {
    const len = this.length;
    if (len < 0 || at + len >= end || buf[at + len] !== QUOTE) return -1;
    const b = this.bytes;
    for (let k = 0; k < len; k++) if (b[k] !== buf[at + k]) return -1;
    return at + len + 1;
  }

  get(buf: Buffer, start: number, end: number): string {
    const len = end - start;
    if (len === this.length) {
      const b = this.bytes;
      let k = 0;
      while (k < len && b[k] === buf[start + k]) k++;
      if (k === len) return this.value;
    }
    const value = readLatin1(buf, start, end);
    if (len > this.bytes.length) this.bytes = Buffer.alloc(Math.max(len, this.bytes.length * 2));
    buf.copy(this.bytes, 0, start, end);
    this.length = len;
    this.value = value;
    return value;
  }
}

/**
 * The rest of a JSON string with escapes, from `start` (after the opening quote): only JSON's escapes
 * for ASCII characters (the \u0001 and \u0002 of properties among them), unescaped into scratch space.
 */
export class AsciiJsonUnescaper {
  private scratch = Buffer.alloc(1024);
  /** The position after the closing quote of the string read last. */
  end = 0;

  /** The string, or undefined for a non-ASCII byte, another escape or no closing quote. */
  read(b: Buffer, start: number, end: number): string | undefined {
    if (this.scratch.length < end - start) this.scratch = Buffer.alloc(end - start);
    const out = this.scratch;
    let o = 0;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c === QUOTE) {
        this.end = i + 1;
        return readLatin1(out, 0, o);
      }
      if (c < 0x20 || c >= 0x80) return undefined;
      if (c !== BACKSLASH) {
        out[o++] = c;
        continue;
      }
      const e = b[++i];
      if (e === 0x75 /* u */) {
        // only \u00XX below 0x80 (the \u0001 and \u0002 of properties): the rest go the general way
        if (i + 4 >= end || b[i + 1] !== 0x30 || b[i + 2] !== 0x30) return undefined;
        const hi = HEX_VALUE[b[i + 3]!]!;
        const lo = HEX_VALUE[b[i + 4]!]!;
        if (hi < 0 || hi > 7 || lo < 0) return undefined;
        out[o++] = hi * 16 + lo;
        i += 4;
      } else {
        const ch = ESCAPED[e ?? 0] ?? 0;
        if (ch === 0) return undefined;
        out[o++] = ch;
      }
    }
    return undefined;
  }
}

/**
 * Reads one header at a time (position and scratch space are shared by the calls). An extFields
 * reader gets it positioned after the opening brace and reads entries with keyIndex / letterKey, the
 * values with readString / readQuotedInt / readBoolean, and the separators with next().
 */
export class FastJsonHeaderReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private end = 0;
  private readonly unescaper = new AsciiJsonUnescaper();
  private readonly languageSlot = new StringSlot();
  /** Where the digits readDigits read last start. */
  private digitsFrom = 0;
  /** Index of the key keyIndex matched last (in whichever key list). */
  private lastKey = -1;

  read<H>(
    buf: Buffer,
    start: number,
    end: number,
    code: number,
    readExtFields: (r: FastJsonHeaderReader) => H | undefined,
  ): FastJsonCommand<H> | undefined {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    try {
      const canonical = this.readCanonicalCommand(code, readExtFields);
      if (canonical !== undefined) return canonical;
      this.rewind(start);
      return this.readCommand(code, readExtFields);
    } finally {
      this.buf = EMPTY;
    }
  }

  private rewind(start: number): void {
    this.pos = start;
    this.lastKey = -1;
  }

  /**
   * The outer object in the one layout fastjson and our SDK write (keys in name order, no remark, no
   * whitespace but after the opaque), matched as literals: the keyed loop (readCommand) spent more on
   * finding and matching the outer keys than on the values. Undefined for any other layout.
   */
  private readCanonicalCommand<H>(
    code: number,
    readExtFields: (r: FastJsonHeaderReader) => H | undefined,
  ): FastJsonCommand<H> | undefined {
    if (!this.literal(LIT_CODE)) return undefined;
    const n = this.readNumber();
    if (n !== code || !this.literal(LIT_EXT_FIELDS)) return undefined;
    const header = readExtFields(this);
    if (header === undefined || !this.literal(LIT_FLAG)) return undefined;
    const flag = this.readNumber();
    if (flag === undefined || !this.literal(LIT_LANGUAGE)) return undefined;
    this.pos--;
    const language = this.readString(this.languageSlot);
    if (language === undefined || !this.literal(LIT_OPAQUE)) return undefined;
    const opaque = this.readNumber();
    if (opaque === undefined) return undefined;
    this.skipSpace();
    if (!this.literal(LIT_TAIL)) return undefined;
    const version = this.readNumber();
    if (version === undefined) return undefined;
    this.skipSpace();
    if (this.pos >= this.end || this.buf[this.pos] !== CLOSE_BRACE) return undefined;
    this.pos++;
    this.skipSpace();
    if (this.pos !== this.end) return undefined;
    return { code, language, version: version | 0, opaque: opaque | 0, flag: flag | 0, remark: null, header };
  }

  /** Consumes `l` when the bytes at the position are exactly it. */
  private literal(l: Buffer): boolean {
    if (!literalAt(this.buf, this.pos, this.end, l)) return false;
    this.pos += l.length;
    return true;
  }

  private readCommand<H>(
    code: number,
    readExtFields: (r: FastJsonHeaderReader) => H | undefined,
  ): FastJsonCommand<H> | undefined {
    if (!this.expect(OPEN_BRACE)) return undefined;
    let language = 'JAVA';
    let version = 0;
    let opaque = 0;
    let flag = 0;
    let remark: string | null = null;
    let header: H | undefined;
    let seenCode = false;
    if (this.peek() === CLOSE_BRACE) return undefined;
    for (;;) {
      const key = this.readKey();
      if (key < 0) return undefined;
      if (key === OUTER_EXT_FIELDS) {
        if (this.next() !== OPEN_BRACE) return undefined;
        header = readExtFields(this);
        if (header === undefined) return undefined;
      } else if (key === OUTER_LANGUAGE) {
        if (this.peek() !== QUOTE) return undefined;
        const s = this.readString(this.languageSlot);
        if (s === undefined) return undefined;
        language = s;
      } else if (key === OUTER_REMARK) {
        if (this.peek() !== QUOTE) return undefined;
        const s = this.readString(undefined);
        if (s === undefined) return undefined;
        remark = s;
      } else if (key === OUTER_SERIALIZE_TYPE) {
        if (this.peek() !== QUOTE || this.readString(undefined) === undefined) return undefined;
      } else {
        const n = this.readNumber();
        if (n === undefined) return undefined;
        if (key === OUTER_CODE) {
          if (n !== code) return undefined;
          seenCode = true;
        } else if (key === OUTER_VERSION) version = n | 0;
        else if (key === OUTER_OPAQUE) opaque = n | 0;
        else flag = n | 0;
      }
      const c = this.next();
      if (c === COMMA) continue;
      if (c !== CLOSE_BRACE) return undefined;
      break;
    }
    this.skipSpace();
    if (this.pos !== this.end || !seenCode || header === undefined) return undefined;
    return { code, language, version, opaque, flag, remark, header };
  }

  /** The outer key's id (OUTER_*), -1 for any other key; positioned after the colon. */
  private readKey(): number {
    return this.keyIndex(OUTER_KEYS);
  }

  /**
   * Reads `"key":` and gives the key's index in `keys`, -1 for another key (or an escaped one, which
   * could spell a known key: JSON.parse reads those). Positioned on the value.
   */
  keyIndex(keys: readonly Buffer[]): number {
    if (this.next() !== QUOTE) return -1;
    const b = this.buf;
    const end = this.end;
    const start = this.pos;
    // writers keep one order: the key after the last one matched, compared in place, is the usual
    // answer (its bytes hold no quote or backslash, so a match followed by `":` is that very key)
    const n = keys.length;
    const guess = this.lastKey + 1 < n ? this.lastKey + 1 : 0;
    const k = keys[guess]!;
    const kl = k.length;
    if (start + kl + 1 < end && b[start + kl] === QUOTE && b[start + kl + 1] === COLON) {
      let j = 0;
      while (j < kl && k[j] === b[start + j]) j++;
      if (j === kl) {
        this.pos = start + kl + 2;
        this.skipSpace();
        this.lastKey = guess;
        return guess;
      }
    }
    let i = start;
    while (i < end && b[i] !== QUOTE) {
      if (b[i] === BACKSLASH) return -1;
      i++;
    }
    const len = i - start;
    this.pos = i + 1;
    if (this.next() !== COLON) return -1;
    this.skipSpace();
    for (let tried = 0, id = this.lastKey + 1; tried < n; tried++, id++) {
      if (id >= n) id = 0;
      const k = keys[id]!;
      if (k.length !== len) continue;
      let j = 0;
      while (j < len && k[j] === b[start + j]) j++;
      if (j === len) {
        this.lastKey = id;
        return id;
      }
    }
    return -1;
  }

  /** Reads a one-character key (`"a":`) and gives its byte, -1 for any other key. Positioned on the value. */
  letterKey(): number {
    this.skipSpace();
    const b = this.buf;
    const at = this.pos;
    if (at + 3 > this.end || b[at] !== QUOTE || b[at + 2] !== QUOTE) return -1;
    this.pos = at + 3;
    if (this.next() !== COLON) return -1;
    this.skipSpace();
    return b[at + 1]!;
  }

  /** True after an entry when another one follows; false at the closing brace. Undefined otherwise. */
  more(): boolean | undefined {
    const c = this.next();
    if (c === COMMA) return true;
    return c === CLOSE_BRACE ? false : undefined;
  }

  /**
   * A string value (the position is on its opening quote). Without escapes it comes from `slot` when
   * the bytes repeat; with JSON's escapes for ASCII characters it is unescaped into scratch first.
   */
  readString(slot: StringSlot | undefined): string | undefined {
    const b = this.buf;
    if (b[this.pos] !== QUOTE) return undefined;
    const start = this.pos + 1;
    const end = this.end;
    let i = start;
    while (i < end && STRING_BYTE[b[i]!] === PLAIN) i++;
    if (i >= end) return undefined;
    const c = b[i]!;
    if (c === QUOTE) {
      this.pos = i + 1;
      return slot === undefined ? readLatin1(b, start, i) : slot.get(b, start, i);
    }
    return c === BACKSLASH ? this.readEscapedString(start) : undefined;
  }

  private readEscapedString(start: number): string | undefined {
    const s = this.unescaper.read(this.buf, start, this.end);
    if (s !== undefined) this.pos = this.unescaper.end;
    return s;
  }

  /** A quoted decimal integer ("-12"), as Integer.parseInt / Long.parseLong read it. */
  readQuotedInt(): number | undefined {
    if (this.buf[this.pos] !== QUOTE) return undefined;
    const n = this.readDigits(this.pos + 1);
    if (n === undefined || this.buf[this.pos] !== QUOTE) return undefined;
    this.pos++;
    return n;
  }

  /** Boolean.parseBoolean of a quoted ASCII value: "true" in any case. */
  readBoolean(): boolean | undefined {
    const b = this.buf;
    if (b[this.pos] !== QUOTE) return undefined;
    const start = this.pos + 1;
    const close = plainStringEnd(b, start, this.end);
    if (close < 0) return undefined;
    this.pos = close + 1;
    return isAsciiTrue(b, start, close);
  }

  /** A bare integer (JSON number without fraction or exponent). */
  private readNumber(): number | undefined {
    const n = this.readDigits(this.pos);
    // JSON forbids leading zeros; JSON.parse would refuse "01", so leave it to the general way
    if (n === undefined || (this.pos - this.digitsFrom > 1 && this.buf[this.digitsFrom] === 0x30))
      return undefined;
    const c = this.buf[this.pos];
    if (c === 0x2e || c === 0x65 || c === 0x45) return undefined;
    return n;
  }

  /**
   * An optional minus and 1..MAX_DIGITS decimal digits from `i`: the value, the position after the
   * digits and digitsFrom where they start; undefined for no digits or too many.
   */
  private readDigits(i: number): number | undefined {
    const b = this.buf;
    let neg = false;
    if (b[i] === 0x2d) {
      neg = true;
      i++;
    }
    const from = i;
    let n = 0;
    for (; i < this.end; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === from || i - from > MAX_DIGITS) return undefined;
    this.digitsFrom = from;
    this.pos = i;
    return neg ? -n : n;
  }

  expect(c: number): boolean {
    return this.next() === c;
  }

  /** The next byte after whitespace, consumed. */
  next(): number {
    // no whitespace between tokens (as fastjson writes) is the common case
    if (this.pos < this.end) {
      const c = this.buf[this.pos]!;
      if (c > 0x20) {
        this.pos++;
        return c;
      }
    }
    this.skipSpace();
    return this.pos < this.end ? this.buf[this.pos++]! : -1;
  }

  /** The next byte after whitespace, not consumed. */
  peek(): number {
    if (this.pos < this.end) {
      const c = this.buf[this.pos]!;
      if (c > 0x20) return c;
    }
    this.skipSpace();
    return this.pos < this.end ? this.buf[this.pos]! : -1;
  }

  skipSpace(): void {
    const b = this.buf;
    const end = this.end;
    let i = this.pos;
    while (i < end) {
      const c = b[i]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.pos = i;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * The closing quote of a plain JSON string whose content starts at `start`: printable ASCII, no
 * escape. -1 when there is none before `end` or the content is not plain.
 */
export function plainStringEnd(b: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && STRING_BYTE[b[i]!] === PLAIN) i++;
  return i < end && b[i] === QUOTE ? i : -1;
}

/** Whether buf[p, end) starts with the bytes of `l`. */
export function literalAt(buf: Buffer, p: number, end: number, l: Buffer): boolean {
  const n = l.length;
  if (p < 0 || p + n > end) return false;
  for (let k = 0; k < n; k++) if (buf[p + k] !== l[k]) return false;
  return true;
}

/** Boolean.parseBoolean of the ASCII bytes b[start, end): "true" in any case. */
export function isAsciiTrue(b: Buffer, start: number, end: number): boolean {
  return (
    end - start === 4 &&
    (b[start]! | 0x20) === 0x74 &&
    (b[start + 1]! | 0x20) === 0x72 &&
    (b[start + 2]! | 0x20) === 0x75 &&
    (b[start + 3]! | 0x20) === 0x65
  );
}

// outer keys, by id
const OUTER_KEYS = [
  'code',
  'extFields',
  'flag',
  'language',
  'opaque',
  'remark',
  'serializeTypeCurrentRPC',
  'version',
].map((k) => Buffer.from(k, 'latin1'));
/**
 * Bytes inside a JSON string: PLAIN (printable ASCII) or not (the quote, the backslash and the rest).
 * One table load per byte instead of four comparisons: the string loops are most of a header's cost.
 */
export const PLAIN = 0;
export const STRING_BYTE = new Uint8Array(256).fill(1);
for (let c = 0x20; c < 0x80; c++) if (c !== QUOTE && c !== BACKSLASH) STRING_BYTE[c] = PLAIN;

const lit = (text: string): Buffer => Buffer.from(text, 'latin1');
// the canonical layout's text between the values (readCanonicalCommand; the send header's reader too)
export const LIT_CODE = lit('{"code":');
export const LIT_EXT_FIELDS = lit(',"extFields":{');
const LIT_FLAG = lit(',"flag":');
export const LIT_LANGUAGE = lit(',"language":"');
const LIT_OPAQUE = lit(',"opaque":');
export const LIT_TAIL = lit(',"serializeTypeCurrentRPC":"JSON","version":');
const OUTER_CODE = 0;
const OUTER_EXT_FIELDS = 1;
const OUTER_LANGUAGE = 3;
const OUTER_OPAQUE = 4;
const OUTER_REMARK = 5;
const OUTER_SERIALIZE_TYPE = 6;
const OUTER_VERSION = 7;

/** JSON's two-character escapes, by the character after the backslash. */
const ESCAPED: (number | undefined)[] = [];
ESCAPED[0x22] = 0x22;
ESCAPED[0x5c] = 0x5c;
ESCAPED[0x2f] = 0x2f;
ESCAPED[0x62] = 0x08;
ESCAPED[0x66] = 0x0c;
ESCAPED[0x6e] = 0x0a;
ESCAPED[0x72] = 0x0d;
ESCAPED[0x74] = 0x09;

/** Hex digit values by byte, -1 for a byte that is not one. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[0x41 + c] = 10 + c;
  HEX_VALUE[0x61 + c] = 10 + c;
}

/** The one reader: decoding runs on the event loop, one header at a time. */
export const fastJsonHeaderReader = new FastJsonHeaderReader();

/** Key names as bytes, for FastJsonHeaderReader.keyIndex. */
export function jsonKeys(...names: string[]): readonly Buffer[] {
  return names.map((k) => Buffer.from(k, 'latin1'));
}
