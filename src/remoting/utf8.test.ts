import { describe, expect, it } from 'vitest';
import { readUtf8, utf8Length, writeUtf8 } from './utf8.js';

const samples = [
  '',
  'a',
  'BenchmarkTest',
  'x'.repeat(48),
  'x'.repeat(49),
  `${'y'.repeat(47)}é`,
  'é',
  'Gé',
  '中文主题',
  'emoji 😀 pair',
  'lone \ud800 surrogate',
  '\u0001\u0002\u007f\u0080',
  'é'.repeat(100),
];

describe('utf8 helpers', () => {
  it('agree with Buffer on length, bytes and decoding', () => {
    for (const s of samples) {
      const expected = Buffer.from(s, 'utf8');
      expect(utf8Length(s), s).toBe(expected.length);
      const buf = Buffer.alloc(expected.length + 4, 0xee);
      expect(writeUtf8(buf, s, 2), s).toBe(expected.length);
      expect(buf.subarray(2, 2 + expected.length)).toEqual(expected);
      expect(buf[0]).toBe(0xee);
      expect(buf[buf.length - 1]).toBe(0xee);
      expect(readUtf8(buf, 2, 2 + expected.length)).toBe(expected.toString('utf8'));
    }
  });
});
