import { describe, expect, it } from 'vitest';
import { extractKeyValueArgs } from './key-value-args.js';

describe('extractKeyValueArgs', () => {
  it('takes --key=value out of argv, keeping the rest in order', () => {
    const { entries, rest } = extractKeyValueArgs([
      '-p',
      '0',
      '--kvConfigPath=/tmp/a b.json',
      'x',
      '--flag',
      '--a.b=1=2',
    ]);
    expect(entries).toEqual([
      { key: 'kvConfigPath', value: '/tmp/a b.json', line: 3, source: 'command line' },
      { key: 'a.b', value: '1=2', line: 6, source: 'command line' },
    ]);
    expect(rest).toEqual(['-p', '0', 'x', '--flag']);
  });

  it('leaves options that are not keys alone', () => {
    expect(extractKeyValueArgs(['--=x', '-k=v', '--9a=1']).rest).toEqual(['--=x', '-k=v', '--9a=1']);
  });
});
