import { describe, expect, it } from 'vitest';
import { OpOffsetCache } from './op-offset-cache.js';

describe('OpOffsetCache', () => {
  it('answers what was recorded, per queue, and nothing below a trim', () => {
    const c = new OpOffsetCache();
    c.record(0, 10, 100);
    c.record(0, 11, 105);
    c.record(0, 13, 101); // 12 was written elsewhere (before a restart): unknown
    c.record(1, 0, 7);
    expect(c.lookup(0, 10)).toBe(100);
    expect(c.lookup(0, 11)).toBe(105);
    expect(c.lookup(0, 12)).toBeUndefined();
    expect(c.lookup(0, 13)).toBe(101);
    expect(c.lookup(0, 9)).toBeUndefined();
    expect(c.lookup(1, 0)).toBe(7);
    expect(c.lookup(2, 0)).toBeUndefined();
    c.trim(0, 12);
    expect(c.lookup(0, 11)).toBeUndefined();
    expect(c.lookup(0, 13)).toBe(101);
    expect(c.size(0)).toBe(2);
    c.trim(0, 100);
    expect(c.size(0)).toBe(0);
    c.record(0, 100, 5);
    expect(c.lookup(0, 100)).toBe(5);
    // an op offset below the kept range is not recorded
    c.record(0, 50, 1);
    expect(c.lookup(0, 50)).toBeUndefined();
  });
});
