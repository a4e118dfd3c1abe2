import { describe, expect, it } from 'vitest';
import {
  decodeProperties,
  encodeProperties,
  forEachEntry,
  getPropertyFromString,
  putPropertyToString,
} from './message-properties.js';

describe('message properties string', () => {
  it('round trips and uses \\u0001 / \\u0002 as Java does', () => {
    const s = encodeProperties({ KEYS: 'a b', TAGS: 'T', UNIQ_KEY: 'ABC', SKIP: undefined });
    expect(s).toBe('KEYS\u0001a b\u0002TAGS\u0001T\u0002UNIQ_KEY\u0001ABC');
    expect(decodeProperties(s)).toEqual({ KEYS: 'a b', TAGS: 'T', UNIQ_KEY: 'ABC' });
  });

  it('drops malformed pairs as string2messageProperties does', () => {
    expect(decodeProperties('a\u0001\u0002\u0001x\u0002k\u0001v\u0002zz')).toEqual({ k: 'v' });
    expect(decodeProperties('')).toEqual({});
    expect(decodeProperties(undefined)).toEqual({});
  });

  it('finds one property without decoding all, matching whole names only', () => {
    const s = 'XKEYS\u0001no\u0002KEYS\u0001yes\u0002UNIQ_KEY\u0001U1';
    expect(getPropertyFromString(s, 'KEYS')).toBe('yes');
    expect(getPropertyFromString(s, 'UNIQ_KEY')).toBe('U1');
    expect(getPropertyFromString(s, 'TAGS')).toBeUndefined();
    expect(getPropertyFromString('KEYS\u0001a', 'KEYS')).toBe('a');
  });

  it('puts a property', () => {
    expect(decodeProperties(putPropertyToString('A\u0001b', 'C', 'd'))).toEqual({ A: 'b', C: 'd' });
  });
});

describe('forEachEntry', () => {
  it('gives every name and value that getPropertyFromString can find, in order', () => {
    const names = ['TAGS', 'KEYS', 'A', ''];
    const values = ['', 'v', 'a b', 'x\u0001y'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed % n;
    };
    let entries = 0;
    for (let round = 0; round < 3000; round++) {
      let s = '';
      const count = next(6);
      for (let i = 0; i < count; i++) {
        s += next(10) === 0 ? 'junk' : `${names[next(names.length)]}\u0001${values[next(values.length)]}`;
        if (i < count - 1 || next(2) === 0) s += '\u0002';
      }
      const seen: string[] = [];
      const first = new Map<string, string>();
      forEachEntry(s, (at, nameEnd, end) => {
        const name = s.slice(at, nameEnd);
        seen.push(`${name}=${s.slice(nameEnd + 1, end)}`);
        if (!first.has(name)) first.set(name, s.slice(nameEnd + 1, end));
        entries++;
      });
      const expected = s
        .split('\u0002')
        .filter((e) => e.includes('\u0001'))
        .map((e) => e.replace('\u0001', '='));
      expect(seen, JSON.stringify(s)).toEqual(expected);
      for (const name of names) {
        const v = first.get(name);
        expect(v === '' ? undefined : v, JSON.stringify(s)).toBe(getPropertyFromString(s, name));
      }
    }
    expect(entries).toBeGreaterThan(3000);
  });
});
