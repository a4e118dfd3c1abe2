/**
 * Java's string-to-value conversions that RocketMQ's ComparisonExpression applies to property values
 * (Integer.valueOf, Long.valueOf, Double.valueOf, Boolean.valueOf) and Double.compare, reproduced
 * exactly: a property that Java refuses to convert makes the whole evaluation fail, so what is refused
 * matters as much as the value. Failures are `undefined`, never exceptions (this is the pull hot path).
 */

const INT_MAX = 2147483647;
const INT_MIN_ABS = 2147483648;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN_ABS = 9223372036854775808n;

const DECIMAL_DIGIT = /\p{Nd}/u;

/**
 * Character.digit(ch, 10): ASCII digits, and any other BMP character of category Nd (Java parses
 * UTF-16 units, so supplementary digits never count). Every BMP Nd run is exactly ten code points
 * starting at its zero, so the value is the distance from the run's first code point.
 */
function unicodeDigit(code: number): number {
  if (code < 0x80 || (code >= 0xd800 && code <= 0xdfff)) return -1;
  if (!DECIMAL_DIGIT.test(String.fromCharCode(code))) return -1;
  let zero = code;
  while (zero > 0 && DECIMAL_DIGIT.test(String.fromCharCode(zero - 1))) zero--;
  return (code - zero) % 10;
}

function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const d = c - 0x30;
  return d >= 0 && d <= 9 ? d : unicodeDigit(c);
}

/** Integer.parseInt(s): optional sign, decimal digits only, no whitespace, 32-bit range. */
export function parseJavaInt(s: string): number | undefined {
  const len = s.length;
  if (len === 0) return undefined;
  let i = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first < 0x30) {
    if (first === 0x2d) negative = true;
    else if (first !== 0x2b) return undefined;
    if (len === 1) return undefined;
    i = 1;
  }
  let v = 0;
  for (; i < len; i++) {
    const d = digitAt(s, i);
    if (d < 0) return undefined;
    v = v * 10 + d;
    if (v > INT_MIN_ABS) return undefined;
  }
  if (negative) return 0 - v;
  return v > INT_MAX ? undefined : v;
}

/**
 * Long.parseLong(s). The value is a number when it is a safe integer, else a bigint (so that
 * comparisons stay exact over the whole 64-bit range).
 */
export function parseJavaLong(s: string): number | bigint | undefined {
  const len = s.length;
  if (len === 0) return undefined;
  let i = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first < 0x30) {
    if (first === 0x2d) negative = true;
    else if (first !== 0x2b) return undefined;
    if (len === 1) return undefined;
    i = 1;
  }
  const start = i;
  let v = 0;
  for (; i < len; i++) {
    const d = digitAt(s, i);
    if (d < 0) return undefined;
    v = v * 10 + d;
    if (v > Number.MAX_SAFE_INTEGER) break;
  }
  if (i === len) return negative ? 0 - v : v;
  // Past 2^53: redo exactly with a bigint over the (ASCII-normalised) digits.
  let digits = '';
  for (let j = start; j < len; j++) {
    const d = digitAt(s, j);
    if (d < 0) return undefined;
    digits += String.fromCharCode(0x30 + d);
  }
  const big = BigInt(digits);
  if (negative) return big > LONG_MIN_ABS ? undefined : -big;
  return big > LONG_MAX ? undefined : big;
}

/** Boolean.valueOf(s): "true" in any case is true, everything else false. */
export function parseJavaBoolean(s: string): boolean {
  return s.length === 4 && (s === 'true' || s.toLowerCase() === 'true');
}

/**
 * Double.valueOf(s) (FloatingDecimal.readJavaFormatString): String.trim(), an optional sign, then
 * "NaN", "Infinity", a hexadecimal float, or ASCII decimal digits with at most one point and an
 * optional exponent, followed by at most one of f F d D.
 */
export function parseJavaDouble(s: string): number | undefined {
  let from = 0;
  let to = s.length;
  while (from < to && s.charCodeAt(from) <= 0x20) from++;
  while (to > from && s.charCodeAt(to - 1) <= 0x20) to--;
  if (from === to) return undefined;
  let i = from;
  let c = s.charCodeAt(i);
  let negative = false;
  if (c === 0x2b || c === 0x2d) {
    negative = c === 0x2d;
    i++;
    if (i === to) return undefined;
    c = s.charCodeAt(i);
  }
  if (c === 0x4e /* N */) return to - i === 3 && s.startsWith('NaN', i) ? Number.NaN : undefined;
  if (c === 0x49 /* I */) {
    if (to - i !== 8 || !s.startsWith('Infinity', i)) return undefined;
    return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (c === 0x30 && i + 1 < to && (s.charCodeAt(i + 1) | 0x20) === 0x78 /* x */) {
    return parseJavaHexDouble(s.slice(from, to));
  }
  let digits = 0;
  let point = false;
  for (; i < to; i++) {
    c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === 0x2e && !point) point = true;
    else break;
  }
  if (digits === 0) return undefined;
  if (i < to && (c === 0x65 || c === 0x45) /* e E */) {
    i++;
    if (i < to) {
      c = s.charCodeAt(i);
      if (c === 0x2b || c === 0x2d) i++;
    }
    const expStart = i;
    while (i < to && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    if (i === expStart) return undefined;
  }
  let end = to;
  if (i < to) {
    c = s.charCodeAt(i) | 0x20;
    if (i !== to - 1 || (c !== 0x66 /* f */ && c !== 0x64) /* d */) return undefined;
    end = i;
  }
  // What is left is a decimal JavaScript also reads, with the same correct rounding.
  return Number(from === 0 && end === s.length ? s : s.slice(from, end));
}

const HEX_DOUBLE =
  /^([-+])?0[xX](?:([0-9a-fA-F]+)\.?|([0-9a-fA-F]*)\.([0-9a-fA-F]+))[pP]([-+]?[0-9]+)[fFdD]?$/;

/** Java's hexadecimal floating literal (0x1.8p3), rounded to nearest-even like FloatingDecimal. */
function parseJavaHexDouble(s: string): number | undefined {
  const m = HEX_DOUBLE.exec(s);
  if (m === null) return undefined;
  const negative = m[1] === '-';
  const intPart = m[2] ?? m[3] ?? '';
  const fracPart = m[4] ?? '';
  let mantissa = BigInt(`0x0${intPart}${fracPart}`);
  const exp = Number(m[5]);
  if (mantissa === 0n || !Number.isFinite(exp)) return negative ? -0 : 0;
  // value = mantissa * 2^binExp
  let binExp = exp - 4 * fracPart.length;
  const bits = mantissa.toString(2).length;
  const topExp = bits - 1 + binExp; // exponent of the leading bit
  if (topExp > 1023) return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  // Bits of precision available at this magnitude: 53 for normals, fewer for subnormals.
  const precision = topExp >= -1022 ? 53 : 53 - (-1022 - topExp);
  if (precision <= 0) {
    // Below half the smallest subnormal rounds to zero; above it, to the smallest subnormal.
    if (precision < 0) return negative ? -0 : 0;
    const half = 1n << BigInt(bits - 1);
    const up = mantissa > half;
    const value = up ? Number.MIN_VALUE : 0;
    return negative ? -value : value;
  }
  const drop = bits - precision;
  if (drop > 0) {
    const d = BigInt(drop);
    const rest = mantissa & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    mantissa >>= d;
    if (rest > half || (rest === half && (mantissa & 1n) === 1n)) mantissa += 1n;
    binExp += drop;
  }
  // mantissa now fits 54 bits at most; scale in two steps so no intermediate underflows early.
  let value = Number(mantissa);
  const step = binExp < 0 ? Math.max(binExp, -1000) : Math.min(binExp, 1000);
  value *= 2 ** step;
  value *= 2 ** (binExp - step);
  return negative ? -value : value;
}

/** Double.compare: NaN above everything and equal to itself, -0.0 below 0.0. */
export function compareJavaDouble(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const na = Object.is(a, -0);
    const nb = Object.is(b, -0);
    return na === nb ? 0 : na ? -1 : 1;
  }
  // at least one NaN
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}
