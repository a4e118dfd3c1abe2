import { describe, expect, it } from 'vitest';
import {
  decodeProperties,
  encodeProperties,
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
