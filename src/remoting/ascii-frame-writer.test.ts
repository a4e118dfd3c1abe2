import { describe, expect, it } from 'vitest';
import { offsetToHex } from '../common/message-id.js';
import { intChars, MAX_INT_CHARS, putAscii, putIntAt, putOffsetHex } from './ascii-frame-writer.js';

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

  it('writes a CommitLog offset as the 16 hex digits offsetToHex spells', () => {
    const offsets = [
      0,
      1,
      15,
      16,
      0xabcdef,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 40 + 0x1234,
      2 ** 53 - 1,
    ];
    for (let i = 0; i < 200; i++) offsets.push(Math.floor(Math.random() * 2 ** 53));
    const out = Buffer.alloc(20, 0x7e);
    for (const offset of offsets) {
      putOffsetHex(out, 2, offset);
      expect(out.toString('latin1', 2, 18)).toBe(offsetToHex(offset));
      expect(out[1]).toBe(0x7e);
      expect(out[18]).toBe(0x7e);
    }
  });
});
