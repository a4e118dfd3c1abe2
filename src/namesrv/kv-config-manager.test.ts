import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KVConfigLoadError, KVConfigManager } from './kv-config-manager.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cometmq-kv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('KVConfigManager', () => {
  it("persists every change in RocketMQ's kvConfig.json format and loads it back", async () => {
    const path = join(dir, 'sub', 'kvConfig.json');
    const kv = new KVConfigManager(path);
    await kv.load();
    await kv.putKVConfig('ORDER_TOPIC_CONFIG', 'T', 'b1:4;b2:4');
    await kv.putKVConfig('NS', 'k', 'v1');
    await kv.putKVConfig('NS', 'k', 'v2');
    await kv.deleteKVConfig('ORDER_TOPIC_CONFIG', 'T');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      configTable: { ORDER_TOPIC_CONFIG: {}, NS: { k: 'v2' } },
    });
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8')).configTable.ORDER_TOPIC_CONFIG).toEqual({
      T: 'b1:4;b2:4',
    });

    const again = new KVConfigManager(path);
    await again.load();
    expect(again.getKVConfig('NS', 'k')).toBe('v2');
    expect(again.getKVListByNamespace('ORDER_TOPIC_CONFIG')?.toString()).toBe('{"table":{}}');
    expect(again.getKVListByNamespace('NS')?.toString()).toBe('{"table":{"k":"v2"}}');
    expect(again.getKVListByNamespace('nope')).toBeUndefined();
  });

  it('starts empty without a file and refuses a corrupt one', async () => {
    const kv = new KVConfigManager(join(dir, 'none.json'));
    await kv.load();
    expect(kv.getKVConfig('a', 'b')).toBeUndefined();
    await writeFile(join(dir, 'bad.json'), '{"configTable":');
    await expect(new KVConfigManager(join(dir, 'bad.json')).load()).rejects.toThrow(KVConfigLoadError);
  });

  it('keeps the last of many concurrent writes on disk', async () => {
    const path = join(dir, 'kv.json');
    const kv = new KVConfigManager(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => kv.putKVConfig('NS', 'k', String(i))));
    await kv.flush();
    expect(JSON.parse(await readFile(path, 'utf8')).configTable.NS.k).toBe('19');
  });
});
