import { describe, expect, it } from 'vitest';
import { applyConfig } from '../common/config.js';
import { parsePropertiesText } from '../common/properties-file.js';
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

describe('command line over a config file', () => {
  const defaults = { listenPort: 10911, brokerName: 'b' };
  it('applies command line entries on top of a file', () => {
    const { entries, rest } = extractKeyValueArgs(
      ['-c', 'b.conf', '--listenPort=10931', '--configFile=x'],
      ['configFile'],
    );
    expect(rest).toEqual(['-c', 'b.conf', '--configFile=x']);
    const cfg = applyConfig(defaults, [...parsePropertiesText('listenPort=10911', 'b.conf'), ...entries]);
    expect(cfg.listenPort).toBe(10931);
    expect(() => applyConfig(defaults, extractKeyValueArgs(['x', '--listenPort=a']).entries)).toThrow(
      'command line:2: bad value "a" for listenPort',
    );
  });
});
