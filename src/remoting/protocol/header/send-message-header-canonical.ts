/**
 * SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE headers in the one layout fastjson writes them (and our SDK and
 * bench generator): `{"code":N,"extFields":{"a":"..",..},"flag":N,"language":"..","opaque":N,
 * "serializeTypeCurrentRPC":"JSON","version":N}`, outer keys in name order, no whitespace but after
 * the opaque (where the bench generator pads). Read straight through, matching the outer keys as
 * literals and the repeating strings (producer group, topic, language) against their last bytes in
 * one pass: ~2x faster than the key-matching reader (send-message-header-json.ts), which stays the
 * next step for any other layout, as JSON.parse stays the last.
 *
 * Whatever this accepts decodes to what the general reader gives; anything else is undefined.
 */
import {
  AsciiJsonUnescaper,
  type FastJsonCommand,
  isAsciiTrue,
  LIT_CODE,
  LIT_EXT_FIELDS,
  LIT_LANGUAGE,
  LIT_TAIL,
  literalAt,
  plainStringEnd,
  StringSlot,
} from '../../fast-json-header.js';
import { readLatin1 } from '../../utf8.js';
import {
  blankSendMessageRequestHeader,
  SEND_V2_KIND,
  SEND_V2_REQUIRED,
  type SendMessageRequestHeader,
  setSendV2Boolean,
  setSendV2Int,
  setSendV2String,
  V2_BOOLEAN,
  V2_INT,
  V2_PROPERTIES,
  V2_REPEATING,
} from './send-message-request-header.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const CLOSE_BRACE = 0x7d;
const LETTER_A = 0x61;
/** 15 digits always fit a double exactly; longer numbers go the general way. */
const MAX_DIGITS = 15;

// with the brace that closes extFields, and the quote that closes the language
const FLAG = Buffer.from('},"flag":', 'latin1');
const OPAQUE = Buffer.from('","opaque":', 'latin1');

/** Producer group (a), topic (b), default topic (c), broker name (n), language. */
const slots = [new StringSlot(), new StringSlot(), new StringSlot(), new StringSlot()];
const languageSlot = new StringSlot();
const unescaper = new AsciiJsonUnescaper();

/** Where the last value read ends (after its closing quote or last digit); the value of readInt. */
let pos = 0;
let int = 0;

export function readSendHeaderCanonical(
  buf: Buffer,
  start: number,
  end: number,
  code: number,
): FastJsonCommand<SendMessageRequestHeader> | undefined {
  if (
    !literalAt(buf, start, end, LIT_CODE) ||
    !readInt(buf, start + LIT_CODE.length, end, true) ||
    int !== code
  )
    return undefined;
  let p = pos;
  if (!literalAt(buf, p, end, LIT_EXT_FIELDS)) return undefined;
  p += LIT_EXT_FIELDS.length;
  const h = blankSendMessageRequestHeader();
  // the fields seen, one bit per letter
  let seen = 0;
  for (;;) {
    // "x":" then the value, every one a string
    if (
      p + 5 > end ||
      buf[p] !== QUOTE ||
      buf[p + 2] !== QUOTE ||
      buf[p + 3] !== COLON ||
      buf[p + 4] !== QUOTE
    )
      return undefined;
    const letter = buf[p + 1]! - LETTER_A;
    p += 5;
    switch (SEND_V2_KIND[letter]) {
      case V2_REPEATING: {
        const s = readRepeating(slots[letter === 13 ? 3 : letter]!, buf, p, end);
        if (s === undefined) return undefined;
        setSendV2String(h, letter, s);
        break;
      }
      case V2_PROPERTIES: {
        const s = readProperties(buf, p, end);
        if (s === undefined) return undefined;
        setSendV2String(h, letter, s);
        break;
      }
      case V2_BOOLEAN: {
        const t = readBoolean(buf, p, end);
        if (t === undefined) return undefined;
        setSendV2Boolean(h, letter, t);
        break;
      }
      case V2_INT: {
        // Integer.parseInt / Long.parseLong of the quoted digits
        if (!readInt(buf, p, end, false) || buf[pos] !== QUOTE) return undefined;
        pos++;
        setSendV2Int(h, letter, int);
        break;
      }
      default:
        return undefined;
    }
    seen |= 1 << letter;
    p = pos;
    if (p >= end) return undefined;
    if (buf[p] === COMMA) {
      p++;
      continue;
    }
    if (buf[p] !== CLOSE_BRACE) return undefined;
    break;
  }
  if ((seen & SEND_V2_REQUIRED) !== SEND_V2_REQUIRED) return undefined;

  if (!literalAt(buf, p, end, FLAG) || !readInt(buf, p + FLAG.length, end, true)) return undefined;
  const flag = int | 0;
  if (!literalAt(buf, pos, end, LIT_LANGUAGE)) return undefined;
  const language = readRepeating(languageSlot, buf, pos + LIT_LANGUAGE.length, end);
  // the opaque's quote-less digits: the closing quote of OPAQUE is the language's
  if (language === undefined || !literalAt(buf, pos - 1, end, OPAQUE)) return undefined;
  if (!readInt(buf, pos - 1 + OPAQUE.length, end, true)) return undefined;
  const opaque = int | 0;
  p = skipSpace(buf, pos, end);
  // a remark (never in a request from fastjson) or anything else: the general way
  if (!literalAt(buf, p, end, LIT_TAIL) || !readInt(buf, p + LIT_TAIL.length, end, true)) return undefined;
  const version = int | 0;
  p = skipSpace(buf, pos, end);
  if (p >= end || buf[p] !== CLOSE_BRACE || skipSpace(buf, p + 1, end) !== end) return undefined;
  return { code, language, version, opaque, flag, remark: null, header: h };
}

/**
 * An optional minus and 1..MAX_DIGITS digits at `p` into `int`, `pos` after them. A bare JSON number
 * (`bare`) must not have a leading zero, a fraction or an exponent: JSON.parse refuses or reads those
 * differently, so they go the general way.
 */
function readInt(buf: Buffer, p: number, end: number, bare: boolean): boolean {
  let neg = false;
  if (p < end && buf[p] === 0x2d) {
    neg = true;
    p++;
  }
  const from = p;
  let n = 0;
  for (; p < end; p++) {
    const d = buf[p]! - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  if (p === from || p - from > MAX_DIGITS) return false;
  if (bare) {
    if (p - from > 1 && buf[from] === 0x30) return false;
    const c = buf[p];
    if (c === 0x2e || c === 0x65 || c === 0x45) return false;
  }
  int = neg ? -n : n;
  pos = p;
  return true;
}

/** A plain string that usually repeats: from the slot when its bytes do, else made and remembered. */
function readRepeating(slot: StringSlot, buf: Buffer, p: number, end: number): string | undefined {
  const q = slot.matchQuoted(buf, p, end);
  if (q >= 0) {
    pos = q;
    return slot.last;
  }
  // escapes and non-ASCII: the general reader's business
  const close = plainStringEnd(buf, p, end);
  if (close < 0) return undefined;
  pos = close + 1;
  return slot.get(buf, p, close);
}

/** The properties: name\u0001value\u0002 pairs, so JSON escapes are the rule. */
function readProperties(buf: Buffer, p: number, end: number): string | undefined {
  for (let i = p; i < end; i++) {
    const c = buf[i]!;
    if (c === QUOTE) {
      pos = i + 1;
      return readLatin1(buf, p, i);
    }
    if (c === BACKSLASH) {
      const s = unescaper.read(buf, p, end);
      pos = unescaper.end;
      return s;
    }
    if (c < 0x20 || c >= 0x80) return undefined;
  }
  return undefined;
}

/** Boolean.parseBoolean of a plain quoted value: "true" in any case. */
function readBoolean(buf: Buffer, p: number, end: number): boolean | undefined {
  const close = plainStringEnd(buf, p, end);
  if (close < 0) return undefined;
  pos = close + 1;
  return isAsciiTrue(buf, p, close);
}

function skipSpace(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = buf[p];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}
