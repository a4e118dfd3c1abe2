import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { formatPropertiesText, parsePropertiesText, readPropertiesFile } from './properties-file.js';

const kv = (text: string) => parsePropertiesText(text, 'f.conf').map((e) => [e.key, e.value, e.line]);

describe('parsePropertiesText', () => {
  it('reads the separators, comments and blank lines of a broker.conf', () => {
    const text = [
      '# a comment',
      '! another comment',
      '',
      'brokerClusterName = DefaultCluster',
      'brokerName=broker-a',
      '   brokerId: 0',
      'deleteWhen 04',
      'fileReservedTime=48   ',
      'empty=',
    ].join('\n');
    expect(kv(text)).toEqual([
      ['brokerClusterName', 'DefaultCluster', 4],
      ['brokerName', 'broker-a', 5],
      ['brokerId', '0', 6],
      ['deleteWhen', '04', 7],
      ['fileReservedTime', '48', 8],
      ['empty', '', 9],
    ]);
  });

  it('handles CRLF, continuation lines and escapes', () => {
    const text = 'a=1\r\nlong=x \\\r\n    y\r\nesc=tab\\there\\u0041\\\\\r\nsp\\ key=v';
    expect(kv(text)).toEqual([
      ['a', '1', 1],
      ['long', 'x y', 2],
      ['esc', 'tab\thereA\\', 4],
      ['sp key', 'v', 5],
    ]);
  });

  it('keeps = and : inside values', () => {
    expect(kv('namesrvAddr=127.0.0.1:9876;127.0.0.2:9876\nurl=a=b')).toEqual([
      ['namesrvAddr', '127.0.0.1:9876;127.0.0.2:9876', 1],
      ['url', 'a=b', 2],
    ]);
  });

  it('names the line of a key without a value', () => {
    expect(() => parsePropertiesText('a=1\nlonelyKey\n', 'n.conf')).toThrow(ConfigError);
    expect(() => parsePropertiesText('a=1\nlonelyKey\n', 'n.conf')).toThrow(/n\.conf:2: key "lonelyKey"/);
  });

  it('rejects a missing key and a malformed unicode escape', () => {
    expect(() => parsePropertiesText('=5', 'n.conf')).toThrow(/n\.conf:1: missing key/);
    expect(() => parsePropertiesText('x\n\nk=\\u12G4', 'n.conf')).toThrow(/n\.conf:1/);
    expect(() => parsePropertiesText('k=\\u12G4', 'n.conf')).toThrow(/n\.conf:1: malformed/);
  });

  it('formats key=value lines that parse back to the same entries', () => {
    const props = { listenPort: '9876', kvConfigPath: '/tmp/kv.json' };
    const text = formatPropertiesText(props);
    expect(text).toBe('listenPort=9876\nkvConfigPath=/tmp/kv.json\n');
    expect(Object.fromEntries(kv(text).map(([k, v]) => [k, v]))).toEqual(props);
  });
});

describe('readPropertiesFile', () => {
  it('reads a file and reports an unreadable one as a ConfigError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cometmq-props-'));
    try {
      const file = join(dir, 'namesrv.conf');
      await writeFile(file, 'listenPort=9877\n');
      expect(await readPropertiesFile(file)).toEqual([
        { key: 'listenPort', value: '9877', line: 1, source: file },
      ]);
      await expect(readPropertiesFile(join(dir, 'missing.conf'))).rejects.toThrow(
        /missing\.conf: cannot read/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
