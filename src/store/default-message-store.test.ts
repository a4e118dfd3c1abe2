import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, decodeMessages } from '../common/message-decoder.js';
import type { DefaultMessageStore } from './default-message-store.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function newStore(overrides = {}) {
  const dir = makeTempDir();
  dirs.push(dir);
  const store = await openStore(tinyConfig(dir, overrides));
  stores.push(store);
  return { dir, store };
}

describe('DefaultMessageStore basics', () => {
  it('puts and gets one message', async () => {
    const { store } = await newStore();
    const r = await store.putMessage(makeMessage({ body: 'hello world', tags: 'TagA', keys: 'k1 k2' }));
    expect(r.status).toBe('PUT_OK');
    expect(r.result!.wroteOffset).toBe(0);
    expect(r.result!.queueOffset).toBe(0);
    expect(r.result!.msgId).toBe('C0A8000100002A9F0000000000000000');
    const g = await store.getMessage('G', 'TopicTest', 0, 0, 32);
    expect(g.status).toBe('FOUND');
    expect(g.messageCount).toBe(1);
    const m = decodeMessage(g.buffers[0]!);
    expect(m.body.toString()).toBe('hello world');
    expect(m.properties.TAGS).toBe('TagA');
    expect(m.storeHost).toBe('192.168.0.1:10911');
    expect(m.msgId).toBe(r.result!.msgId);
    expect(g.nextBeginOffset).toBe(1);
  });

  it('assigns dense queue offsets per queue across many files', async () => {
    const { store } = await newStore();
    const n = 600;
    const body = Buffer.alloc(700, 7);
    const puts = [];
    for (let i = 0; i < n; i++) puts.push(store.putMessage(makeMessage({ queueId: i % 3, body })));
    const rs = await Promise.all(puts);
    expect(rs.every((r) => r.status === 'PUT_OK')).toBe(true);
    for (let q = 0; q < 3; q++) {
      const offs = rs.filter((_, i) => i % 3 === q).map((r) => r.result!.queueOffset);
      expect(offs).toEqual([...Array(n / 3).keys()]);
      expect(store.getMaxOffsetInQueue('TopicTest', q)).toBe(n / 3);
    }
    expect(store.commitLog.mappedFileQueue.mappedFiles.length).toBeGreaterThan(5);
    const all = [];
    for (let off = 0; off < n / 3; ) {
      const g = await store.getMessage('G', 'TopicTest', 1, off, 32);
      expect(g.status).toBe('FOUND');
      all.push(...decodeMessages(Buffer.concat(g.buffers)));
      off = g.nextBeginOffset;
    }
    expect(all.map((m) => m.queueOffset)).toEqual([...Array(n / 3).keys()]);
  });
});
