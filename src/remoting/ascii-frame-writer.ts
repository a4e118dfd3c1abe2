/**
 * ASCII written straight into a frame buffer, for hot responses patched in place (a send's reply):
 * no string to build, measure and copy. The caller has made room.
 */

/** Most characters String(n) has for a safe integer: a sign and 16 digits. */
export const MAX_INT_CHARS = 17;

/** Length of String(n) for a safe integer. */
export function intChars(n: number): number {
  let chars = 1;
  if (n < 0) {
    chars++;
    n = -n;
  }
  if (n < 2147483648) {
    // the usual case (queue ids, opaques, offsets below 2^31): comparisons, no division
    let limit = 10;
    while (n >= limit && limit <= 1000000000) {
      chars++;
      limit *= 10;
    }
    return chars;
  }
  for (; n >= 10; n = Math.floor(n / 10)) chars++;
  return chars;
}

/** Writes a safe integer as String(n) spells it, in exactly `chars` = intChars(n) bytes at `pos`. */
export function putIntAt(out: Uint8Array, pos: number, n: number, chars: number): void {
  let i = pos + chars - 1;
  if (n < 0) {
    out[pos] = 0x2d;
    n = -n;
  }
  if (n < 2147483648) {
    let v = n | 0;
    do {
      const q = (v / 10) | 0;
      out[i--] = 0x30 + v - q * 10;
      v = q;
    } while (v !== 0);
    return;
  }
  do {
    const q = Math.floor(n / 10);
    out[i--] = 0x30 + (n - q * 10);
    n = q;
  } while (n !== 0);
}

/** Writes a string the caller knows to be ASCII (hex ids) at `pos`. */
export function putAscii(out: Uint8Array, pos: number, s: string): void {
  const n = s.length;
  for (let i = 0; i < n; i++) out[pos + i] = s.charCodeAt(i);
}
