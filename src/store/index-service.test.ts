import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, readLong } from '../common/message-decoder.js';
import { Scheduler } from '../common/scheduler.js';
import { javaStringHashCode } from '../common/tag-hash.js';
import { FakeClock } from '../common/testing/fake-clock.js';
import type { DefaultMessageStore } from './default-message-store.js';
import { INDEX_HEADER_SIZE } from './index-file.js';
import { timeMillisToHumanString } from './index-service.js';
import type { MessageStoreConfig } from './message-store-config.js';
import {
  crashClose,
  ManualClock,
  makeMessage,
  makeTempDir,
  openStore,
  tinyConfig,
} from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const BASE = Date.UTC(2024, 4, 1, 10, 0, 0);

async function newStore(clock: ManualClock, overrides: Partial<MessageStoreConfig> = {}, dir?: string) {
  const root = dir ?? makeTempDir();
  if (!dir) dirs.push(root);
  const config = tinyConfig(root, { maxHashSlotNum: 8, maxIndexNum: 25, ...overrides });
  const store = await openStore(config, { scheduler: new Scheduler(clock) });
  stores.push(store);
  return { store, config, root };
}

async function putKeyed(store: DefaultMessageStore, clock: ManualClock, n: number) {
  const rs = [];
  for (let i = 0; i < n; i++) {
    clock.t = BASE + i * 1000;
    rs.push(
      await store.putMessage(
        makeMessage({ topic: i % 2 ? 'TopicB' : 'TopicA', keys: `order-${i} common`, uniqKey: `U${i}` }),
      ),
    );
  }
  return rs;
}

function keysOf(bufs: Buffer[]): string[] {
  return bufs.map((b) => decodeMessage(b).properties.UNIQ_KEY!).sort();
}

describe('IndexService', () => {
  it('indexes topic#key for each KEYS word and UNIQ_KEY, across many index files', async () => {
    const clock = new ManualClock(BASE);
    const { store, root } = await newStore(clock);
    await putKeyed(store, clock, 60);
    // 3 keys a message, 24 entries a file (the first slot number is unused, as in RocketMQ)
    const names = fs.readdirSync(join(root, 'index')).sort();
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const n of names) expect(n).toMatch(/^\d{17}$/);
    for (const i of [0, 17, 33, 59]) {
      const q = await store.queryMessage(i % 2 ? 'TopicB' : 'TopicA', `order-${i}`, 32, 0, BASE + 120_000);
      expect(keysOf(q.buffers)).toEqual([`U${i}`]);
      const u = await store.queryMessage(i % 2 ? 'TopicB' : 'TopicA', `U${i}`, 32, 0, BASE + 120_000);
      expect(keysOf(u.buffers)).toEqual([`U${i}`]);
    }
    expect((await store.queryMessage('TopicB', 'order-2', 32, 0, BASE + 120_000)).buffers).toEqual([]); // other topic
    const common = await store.queryMessage('TopicA', 'common', 64, 0, BASE + 120_000);
    expect(common.buffers.length).toBe(30);
    expect(common.indexLastUpdatePhyoffset).toBeGreaterThan(0);
  });

  it('honours the time range and maxNum', async () => {
    const clock = new ManualClock(BASE);
    const { store } = await newStore(clock, { maxIndexNum: 1000, maxHashSlotNum: 100 });
    await putKeyed(store, clock, 40);
    // messages of TopicA at BASE + 0, 2, 4 ... 38 s
    const r = await store.queryMessage('TopicA', 'common', 64, BASE + 10_000, BASE + 20_000);
    expect(keysOf(r.buffers)).toEqual(['U10', 'U12', 'U14', 'U16', 'U18', 'U20']);
    const few = await store.queryMessage('TopicA', 'common', 3, 0, BASE + 100_000);
    expect(few.buffers.length).toBe(3);
  });

  it('writes RocketMQ index file layout (header, slots, entries)', async () => {
    const clock = new ManualClock(BASE);
    const { store, root, config } = await newStore(clock, { maxIndexNum: 1000, maxHashSlotNum: 100 });
    const r = await store.putMessage(makeMessage({ topic: 'T', keys: 'K' }));
    await store.shutdown();
    stores.length = 0;
    const name = fs.readdirSync(join(root, 'index'))[0]!;
    expect(name).toBe(timeMillisToHumanString(BASE));
    const b = fs.readFileSync(join(root, 'index', name));
    expect(b.length).toBe(INDEX_HEADER_SIZE + 100 * 4 + 1000 * 20);
    expect(readLong(b, 0)).toBe(r.result!.storeTimestamp); // beginTimestamp
    expect(readLong(b, 16)).toBe(0); // beginPhyOffset
    expect(b.readInt32BE(32)).toBe(1); // hashSlotCount
    expect(b.readInt32BE(36)).toBe(2); // indexCount starts at 1
    const hash = Math.abs(javaStringHashCode('T#K'));
    expect(b.readInt32BE(INDEX_HEADER_SIZE + (hash % 100) * 4)).toBe(1); // slot -> entry 1
    const e = INDEX_HEADER_SIZE + 100 * 4 + 20;
    expect([b.readInt32BE(e), readLong(b, e + 4), b.readInt32BE(e + 12), b.readInt32BE(e + 16)]).toEqual([
      hash,
      0,
      0,
      0,
    ]);
    expect(config.maxIndexNum).toBe(1000);
  });

  it('survives restarts, clean and crashed (slots rebuilt from entries)', async () => {
    const clock = new ManualClock(BASE);
    const { store, root } = await newStore(clock);
    await putKeyed(store, clock, 30);
    await store.shutdown();
    stores.length = 0;
    const b = (await newStore(clock, {}, root)).store;
    expect(keysOf((await b.queryMessage('TopicA', 'order-28', 32, 0, BASE + 100_000)).buffers)).toEqual([
      'U28',
    ]);
    clock.t = BASE + 40_000;
    await b.putMessage(makeMessage({ topic: 'TopicA', keys: 'later' }));
    await b.commitLog.waitWritten();
    // crash: the in-memory slots of the last file never reach the disk; a new store rebuilds them
    stores.length = 0;
    const c = (await newStore(clock, {}, root)).store;
    expect((await c.queryMessage('TopicA', 'later', 32, 0, BASE + 100_000)).buffers.length).toBe(1);
    expect(keysOf((await c.queryMessage('TopicA', 'order-2', 32, 0, BASE + 100_000)).buffers)).toEqual([
      'U2',
    ]);
  });

  it('gathers entries in memory between writes; a crash loses none, also after the checkpoint moved', async () => {
    const clock = new FakeClock(BASE);
    const root = makeTempDir();
    dirs.push(root);
    const config = tinyConfig(root, { maxHashSlotNum: 64, maxIndexNum: 5000 });
    const a = await openStore(config, { scheduler: new Scheduler(clock) });
    const put = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        const r = await a.putMessage(makeMessage({ topic: 'TopicA', keys: `k${i}` }));
        expect(r.status).toBe('PUT_OK');
      }
      await a.commitLog.waitWritten();
    };
    const file = (): string => a.indexService!.indexFileList[0]!.fileName;
    const countOnDisk = (): number => fs.readFileSync(file()).readInt32BE(36);
    await put(0, 100);
    // 100 keys are under the 64 KiB a write waits for: nothing on disk yet
    expect(countOnDisk()).toBeLessThan(a.indexService!.indexFileList[0]!.indexCount);
    // a thorough ConsumeQueue flush round writes them before the logics checkpoint moves
    await clock.advance(config.flushConsumeQueueThoroughInterval + config.flushIntervalConsumeQueue);
    // (the round's file writes and fsyncs complete on the libuv pool, after the timers fired)
    for (let i = 0; i < 200 && a.checkpoint.logicsMsgTimestamp === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(a.checkpoint.logicsMsgTimestamp).toBeGreaterThan(0);
    expect(countOnDisk()).toBe(a.indexService!.indexFileList[0]!.indexCount);
    await put(100, 150);
    crashClose(a);
    const b = await openStore(config, { scheduler: new Scheduler(new ManualClock(clock.now())) });
    stores.push(b);
    for (let i = 0; i < 150; i++) {
      const q = await b.queryMessage('TopicA', `k${i}`, 32, 0, clock.now() + 1000);
      expect(q.buffers.length, `k${i}`).toBe(1);
    }
  });
});
