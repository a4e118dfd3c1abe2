/**
 * String <-> UTF-8 for the many short strings of a binary header. Measured on the project's 2-core
 * machines: Buffer#write and Buffer.byteLength cost ~150 ns a call for a short string (a trip into
 * C++), a JS loop over an ASCII string of up to a few dozen characters ~40 ns; Buffer#utf8Slice
 * is ~2x faster than Buffer#toString('utf8', ...) (no encoding lookup or range normalisation).
 */

const SHORT = 48;

interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

// Node's Buffer has had utf8Slice for as long as Buffer existed; keep a fallback in case it goes.
const hasUtf8Slice = typeof (Buffer.prototype as unknown as Partial<Utf8Slicing>).utf8Slice === 'function';
const hasLatin1Slice =
  typeof (Buffer.prototype as unknown as Partial<Utf8Slicing>).latin1Slice === 'function';

/** UTF-8 byte length, as Buffer.byteLength (lone surrogates count as the 3-byte replacement). */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n > SHORT) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return n;
}

/** Writes `s` at `pos` (the caller made room for utf8Length(s) bytes); returns the bytes written. */
export function writeUtf8(buf: Buffer, s: string, pos: number): number {
  const n = s.length;
  if (n <= SHORT) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return buf.write(s, pos, 'utf8');
      buf[pos + i] = c;
    }
    return n;
  }
  return buf.write(s, pos, 'utf8');
}

export function readUtf8(buf: Buffer, start: number, end: number): string {
  if (start === end) return '';
  return hasUtf8Slice
    ? (buf as unknown as Utf8Slicing).utf8Slice(start, end)
    : buf.toString('utf8', start, end);
}

/** Bytes as latin1 characters: for bytes already known to be ASCII, the cheapest string there is. */
export function readLatin1(buf: Buffer, start: number, end: number): string {
  if (start === end) return '';
  return hasLatin1Slice
    ? (buf as unknown as Utf8Slicing).latin1Slice(start, end)
    : buf.toString('latin1', start, end);
}
