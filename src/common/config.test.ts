import { describe, expect, it } from 'vitest';
import { applyConfig, ConfigError, configToProperties } from './config.js';
import { type PropertyEntry, parsePropertiesText } from './properties-file.js';

const defaults = {
  listenPort: 9876,
  brokerRole: 'ASYNC_MASTER',
  autoCreateTopicEnable: true,
  accessMessageInMemoryMaxRatio: 40,
  diskMaxUsedSpaceRatio: 0.75,
  namesrvAddr: '',
};
const opts = {
  enums: { brokerRole: ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'] },
  floats: ['diskMaxUsedSpaceRatio' as const],
};

describe('applyConfig', () => {
  it('converts each value to the type of its default, later entries winning', () => {
    const entries = parsePropertiesText(
      'listenPort=10911\nbrokerRole=SLAVE\nautoCreateTopicEnable=FALSE\ndiskMaxUsedSpaceRatio=.9\nlistenPort=10921',
      'b.conf',
    );
    const cfg = applyConfig(defaults, entries, opts);
    expect(cfg).toEqual({
      ...defaults,
      listenPort: 10921,
      brokerRole: 'SLAVE',
      autoCreateTopicEnable: false,
      diskMaxUsedSpaceRatio: 0.9,
    });
    expect(defaults.listenPort).toBe(9876);
  });

  it('names source, line, key and value of a bad value', () => {
    const bad = (text: string) => () => applyConfig(defaults, parsePropertiesText(text, 'b.conf'), opts);
    expect(bad('\nlistenPort=10911x')).toThrow(ConfigError);
    expect(bad('\nlistenPort=10911x')).toThrow(
      'b.conf:2: bad value "10911x" for listenPort: expected an integer',
    );
    expect(bad('accessMessageInMemoryMaxRatio=40.5')).toThrow(/expected an integer/);
    expect(bad('autoCreateTopicEnable=yes')).toThrow(
      /b\.conf:1: .*"yes".*autoCreateTopicEnable.*true or false/,
    );
    expect(bad('brokerRole=MASTER')).toThrow(/expected one of ASYNC_MASTER, SYNC_MASTER, SLAVE/);
    expect(bad('diskMaxUsedSpaceRatio=abc')).toThrow(/expected a number/);
    expect(bad('listenPort=99999999999999999999')).toThrow(/2\^53/);
  });

  it('reports unknown keys to onUnknown and ignores them', () => {
    const unknown: PropertyEntry[] = [];
    const cfg = applyConfig(defaults, parsePropertiesText('listenPort=1\nlistenport=2', 'b.conf'), {
      ...opts,
      onUnknown: (e) => unknown.push(e),
    });
    expect(cfg.listenPort).toBe(1);
    expect(unknown.map((e) => [e.key, e.line])).toEqual([['listenport', 2]]);
    expect(cfg).not.toHaveProperty('listenport');
  });
});

describe('configToProperties', () => {
  it('stringifies fields with values and leaves out null and undefined ones', () => {
    expect(configToProperties({ a: 1, b: true, c: 'x', d: null, e: undefined, f: 0.5 })).toEqual({
      a: '1',
      b: 'true',
      c: 'x',
      f: '0.5',
    });
  });
});
