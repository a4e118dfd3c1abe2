import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.js';
import { loadNamesrvConfig } from './namesrv.js';

describe('loadNamesrvConfig', () => {
  it('layers defaults, the -c file (which becomes configStorePath), --key=value and -p', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cometmq-nscfg-'));
    try {
      const conf = join(dir, 'namesrv.conf');
      await writeFile(conf, 'listenPort=9000\nkvConfigPath=/data/kv.json\norderMessageEnable=true\n');
      const warnings: string[] = [];
      const cfg = await loadNamesrvConfig(
        { configFile: conf, listenPort: '9100' },
        ['--kvConfigPath=/x/kv.json', '--zzz=1'],
        (m) => warnings.push(m),
      );
      expect(cfg).toMatchObject({
        listenPort: 9100,
        kvConfigPath: '/x/kv.json',
        orderMessageEnable: true,
        configStorePath: conf,
        brokerChannelExpiredTime: 120_000,
        scanNotActiveBrokerInterval: 10_000,
      });
      expect(warnings).toEqual(['command line:2: unknown key "zzz" ignored']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects stray arguments and ports out of range', async () => {
    await expect(loadNamesrvConfig({}, ['extra'], () => {})).rejects.toThrow(ConfigError);
    await expect(loadNamesrvConfig({ listenPort: '70000' }, [], () => {})).rejects.toThrow(/not a port/);
  });
});
