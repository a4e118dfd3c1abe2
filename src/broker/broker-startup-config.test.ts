import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.js';
import { type PropertyEntry, parsePropertiesText } from '../common/properties-file.js';
import { buildBrokerStartupConfig } from './broker-startup-config.js';

describe('buildBrokerStartupConfig', () => {
  it('applies broker and store keys from one broker.conf, later entries winning', () => {
    const entries = [
      ...parsePropertiesText(
        'brokerClusterName=C1\nbrokerName=b1\nlistenPort=10000\nflushDiskType=SYNC_FLUSH\nstorePathRootDir=/tmp/x\nautoCreateTopicEnable=false\n',
        'broker.conf',
      ),
      { key: 'listenPort', value: '0', line: 0, source: 'command line' },
    ];
    const unknown: PropertyEntry[] = [];
    const { brokerConfig, storeConfig } = buildBrokerStartupConfig(entries, (e) => unknown.push(e));
    expect(brokerConfig).toMatchObject({
      brokerClusterName: 'C1',
      brokerName: 'b1',
      listenPort: 0,
      autoCreateTopicEnable: false,
    });
    expect(storeConfig).toMatchObject({ flushDiskType: 'SYNC_FLUSH', storePathRootDir: '/tmp/x' });
    expect(unknown).toEqual([]);
  });

  it('warns on unknown keys and fails on bad values naming the key', () => {
    const unknown: string[] = [];
    buildBrokerStartupConfig(parsePropertiesText('noSuchKey=1\n', 'broker.conf'), (e) => unknown.push(e.key));
    expect(unknown).toEqual(['noSuchKey']);
    expect(() => buildBrokerStartupConfig(parsePropertiesText('listenPort=abc\n', 'b.conf'))).toThrow(
      /listenPort/,
    );
    expect(() =>
      buildBrokerStartupConfig(parsePropertiesText('flushDiskType=SOMETIMES\n', 'b.conf')),
    ).toThrow(ConfigError);
    expect(() => buildBrokerStartupConfig(parsePropertiesText('listenPort=70000\n', 'b.conf'))).toThrow(
      /listenPort/,
    );
    expect(() => buildBrokerStartupConfig(parsePropertiesText('namesrvAddr=nonsense\n', 'b.conf'))).toThrow(
      /namesrvAddr/,
    );
  });
});
