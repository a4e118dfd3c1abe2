import { describe, expect, it } from 'vitest';
import { Sql92FilterCache, SqlFilterError } from './index.js';

describe('Sql92FilterCache', () => {
  it('compiles once per (group, topic, subVersion) and recompiles when the version or text changes', () => {
    const cache = new Sql92FilterCache();
    const first = cache.get('g', 't', 1, 'a > 5');
    expect(cache.get('g', 't', 1, 'a > 5')).toBe(first);
    expect(first.evaluate({ a: '6' })).toBe(true);
    const second = cache.get('g', 't', 2, 'a > 7');
    expect(second).not.toBe(first);
    expect(second.evaluate({ a: '6' })).toBe(false);
    // same version, different text (a client that does not bump the version): recompiled
    expect(cache.get('g', 't', 2, 'a > 1').evaluate({ a: '6' })).toBe(true);
    expect(cache.size).toBe(1);
    expect(cache.get('g', 'other', 2, 'a > 1')).not.toBe(cache.get('g2', 't', 2, 'a > 1'));
    expect(cache.size).toBe(3);
  });

  it('remembers a failed compile and throws the same error until the subscription changes', () => {
    const cache = new Sql92FilterCache();
    let thrown: unknown;
    try {
      cache.get('g', 't', 1, 'a >');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SqlFilterError);
    expect(() => cache.get('g', 't', 1, 'a >')).toThrow(thrown as Error);
    expect(cache.get('g', 't', 2, 'a > 1').evaluate({ a: '2' })).toBe(true);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new Sql92FilterCache({ maxEntries: 3 });
    const a = cache.get('g', 'a', 1, 'x = 1');
    cache.get('g', 'b', 1, 'x = 1');
    cache.get('g', 'c', 1, 'x = 1');
    expect(cache.get('g', 'a', 1, 'x = 1')).toBe(a); // a is now the most recent
    cache.get('g', 'd', 1, 'x = 1'); // evicts b
    expect(cache.size).toBe(3);
    expect(cache.get('g', 'a', 1, 'x = 1')).toBe(a);
    const c = cache.get('g', 'c', 1, 'x = 1');
    expect(cache.get('g', 'c', 1, 'x = 1')).toBe(c);
    for (let i = 0; i < 1000; i++) cache.get('g', `t${i}`, 1, 'x = 1');
    expect(cache.size).toBe(3);
  });

  it('forgets a subscription or a whole group', () => {
    const cache = new Sql92FilterCache();
    cache.get('g', 'a', 1, 'x = 1');
    cache.get('g', 'b', 1, 'x = 1');
    cache.get('g2', 'a', 1, 'x = 1');
    cache.remove('g', 'a');
    expect(cache.size).toBe(2);
    cache.remove('g');
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('applies its limits', () => {
    const cache = new Sql92FilterCache({ limits: { maxLength: 4 } });
    expect(() => cache.get('g', 't', 1, 'a = 10')).toThrow(/longer than 4 characters/);
  });
});
