import { describe, expect, it } from 'vitest';
import {
  decodeProperties,
  encodeProperties,
  getPropertyFromString,
  PropertyPicker,
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

describe('PropertyPicker', () => {
  it('picks what getPropertyFromString finds for each name, in one pass', () => {
    const names = ['TAGS', 'KEYS', 'REAL_QID', 'A', 'UNIQ_KEY'];
    const picker = new PropertyPicker(names);
    const pool = [...names, 'TAG', 'XKEYS', ''];
    const values = ['', 'v', 'a b', 'x\u0001y', 'é'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed % n;
    };
    let found = 0;
    for (let round = 0; round < 3000; round++) {
      let s = '';
      const entries = next(6);
      for (let i = 0; i < entries; i++) {
        s += next(20) === 0 ? 'junk' : `${pool[next(pool.length)]}\u0001${values[next(values.length)]}`;
        if (i < entries - 1 || next(2) === 0) s += '\u0002';
      }
      const got = picker.pick(s);
      names.forEach((name, k) => {
        expect(got[k], JSON.stringify(s)).toBe(getPropertyFromString(s, name));
        if (got[k] !== undefined) found++;
      });
    }
    expect(found).toBeGreaterThan(1000);
  });
});
