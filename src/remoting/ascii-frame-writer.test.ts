import { describe, expect, it } from 'vitest';
import { intChars, MAX_INT_CHARS, putAscii, putIntAt } from './ascii-frame-writer.js';

describe('ascii-frame-writer', () => {
  it('spells every safe integer as String() does, in intChars bytes', () => {
    const values = [0, 1, -1, 9, 10, -10, 99, 100, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1];
    for (let p = 1; p < 1e16; p *= 10) values.push(p - 1, p, p + 1, -p);
    values.push(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
    const out = Buffer.alloc(64, 0x7e);
    for (const n of values) {
      const text = String(n);
      expect(intChars(n)).toBe(text.length);
      expect(text.length).toBeLessThanOrEqual(MAX_INT_CHARS);
      out.fill(0x7e);
      putIntAt(out, 3, n, intChars(n));
      expect(out.toString('latin1', 3, 3 + text.length)).toBe(text);
      expect(out[2]).toBe(0x7e);
      expect(out[3 + text.length]).toBe(0x7e);
    }
  });

  it('writes ASCII text byte for byte', () => {
    const out = Buffer.alloc(8);
    putAscii(out, 1, 'A,7F');
    expect(out.toString('latin1', 1, 5)).toBe('A,7F');
  });
});
