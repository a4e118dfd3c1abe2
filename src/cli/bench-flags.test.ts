import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.js';
import { intFlag, namesrvFlag, optionalIntFlag } from './bench-flags.js';

describe('bench-flags', () => {
  const saved = process.env.NAMESRV_ADDR;
  afterEach(() => {
    if (saved === undefined) delete process.env.NAMESRV_ADDR;
    else process.env.NAMESRV_ADDR = saved;
  });

  it('takes whole numbers at or above the minimum and names the flag otherwise', () => {
    expect(intFlag('--size', '0', 0)).toBe(0);
    expect(intFlag('--window', '256', 1)).toBe(256);
    for (const bad of ['0', '-1', '1.5', '10s', ''])
      expect(() => intFlag('--window', bad, 1)).toThrow(ConfigError);
    expect(() => intFlag('--window', 'lots', 1)).toThrow(/"lots" for --window: expected an integer >= 1/);
    expect(optionalIntFlag('--count', undefined, 1)).toBeUndefined();
    expect(optionalIntFlag('--count', '5', 1)).toBe(5);
    expect(() => optionalIntFlag('--count', '0', 1)).toThrow(/--count/);
  });

  it('takes the NameServer from -n, else $NAMESRV_ADDR', () => {
    process.env.NAMESRV_ADDR = '127.0.0.1:1';
    expect(namesrvFlag('127.0.0.1:2')).toBe('127.0.0.1:2');
    expect(namesrvFlag(undefined)).toBe('127.0.0.1:1');
    delete process.env.NAMESRV_ADDR;
    expect(() => namesrvFlag(undefined)).toThrow(/no NameServer/);
  });
});
