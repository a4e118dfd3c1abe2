import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../common/message-decoder.js';
import { Scheduler } from '../common/scheduler.js';
import { tagsString2tagsCode } from '../common/tag-hash.js';
import type { DefaultMessageStore } from './default-message-store.js';
import type { MessageStoreConfig } from './message-store-config.js';
import { ManualClock, makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function newStore(overrides: Partial<MessageStoreConfig> = {}, clock?: ManualClock) {
  const dir = makeTempDir();
  dirs.push(dir);
  const store = await openStore(tinyConfig(dir, overrides), clock ? { scheduler: new Scheduler(clock) } : {});
  stores.push(store);
  return store;
}

const tagFilter = (tag: string) => ({
  isMatchedByConsumeQueue: (code: number) => code === tagsString2tagsCode(tag),
});

describe('getMessage statuses and nextBeginOffset (DefaultMessageStore.getMessage)', () => {
  it('FOUND, OFFSET_OVERFLOW_ONE, OFFSET_OVERFLOW_BADLY, NO_MESSAGE_IN_QUEUE, NO_MATCHED_LOGIC_QUEUE', async () => {
    const store = await newStore();
    for (let i = 0; i < 5; i++) await store.putMessage(makeMessage({ body: `m${i}` }));
    const found = await store.getMessage('G', 'TopicTest', 0, 2, 32);
    expect([
      found.status,
      found.messageCount,
      found.nextBeginOffset,
      found.minOffset,
      found.maxOffset,
    ]).toEqual(['FOUND', 3, 5, 0, 5]);
    expect(found.queueOffsets).toEqual([2, 3, 4]);
    const one = await store.getMessage('G', 'TopicTest', 0, 5, 32);
    expect([one.status, one.nextBeginOffset]).toEqual(['OFFSET_OVERFLOW_ONE', 5]);
    const badly = await store.getMessage('G', 'TopicTest', 0, 9, 32);
    expect([badly.status, badly.nextBeginOffset]).toEqual(['OFFSET_OVERFLOW_BADLY', 5]);
    const empty = await store.getMessage('G', 'Nobody', 0, 7, 32);
    expect([empty.status, empty.nextBeginOffset, empty.maxOffset]).toEqual(['NO_MESSAGE_IN_QUEUE', 0, 0]);
    const bad = await store.getMessage('G', 'TopicTest', -1, 0, 32);
    expect(bad.status).toBe('NO_MATCHED_LOGIC_QUEUE');
  });

  it('a slave keeps the requested offset unless offsetCheckInSlave', async () => {
    const store = await newStore();
    await store.putMessage(makeMessage());
    store.config.brokerRole = 'SLAVE';
    expect((await store.getMessage('G', 'TopicTest', 0, 9, 32)).nextBeginOffset).toBe(9);
    store.config.offsetCheckInSlave = true;
    expect((await store.getMessage('G', 'TopicTest', 0, 9, 32)).nextBeginOffset).toBe(1);
    store.config.brokerRole = 'ASYNC_MASTER';
  });

  it('NO_MATCHED_MESSAGE skips filtered entries; tag filtering happens on ConsumeQueue tag codes', async () => {
    const store = await newStore();
    for (let i = 0; i < 10; i++)
      await store.putMessage(makeMessage({ tags: i === 7 ? 'TagB' : 'TagA', body: `m${i}` }));
    const none = await store.getMessage('G', 'TopicTest', 0, 0, 32, 0, tagFilter('TagC'));
    expect([none.status, none.nextBeginOffset, none.messageCount]).toEqual(['NO_MATCHED_MESSAGE', 10, 0]);
    const b = await store.getMessage('G', 'TopicTest', 0, 0, 32, 0, tagFilter('TagB'));
    expect([b.status, b.nextBeginOffset, b.queueOffsets]).toEqual(['FOUND', 10, [7]]);
    expect(decodeMessage(b.buffers[0]!).body.toString()).toBe('m7');
    const sql = await store.getMessage('G', 'TopicTest', 0, 0, 32, 0, {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: (msg) => decodeMessage(msg).body.toString() === 'm3',
    });
    expect(sql.queueOffsets).toEqual([3]);
  });

  it('a FOUND body is leased: later pulls never overwrite it until it is released', async () => {
    const store = await newStore();
    for (let i = 0; i < 40; i++) await store.putMessage(makeMessage({ body: `m${i}`.padEnd(600, '.') }));
    const held = await store.getMessage('G', 'TopicTest', 0, 0, 32);
    expect(held.bodyLease).toBeDefined();
    expect(held.buffers.length).toBeGreaterThan(4);
    const first = held.buffers[0]!;
    for (const b of held.buffers) expect(b.buffer).toBe(first.buffer);
    expect(held.body!.equals(Buffer.concat(held.buffers))).toBe(true);
    // enough pulls, each released as a written response would be, to fill and recycle many slabs
    for (let i = 0; i < 3000; i++) {
      const r = await store.getMessage('G', 'TopicTest', 0, i % 8, 32);
      for (const b of r.buffers) {
        if (b.buffer !== first.buffer) continue;
        const lastHeld = held.buffers[held.buffers.length - 1]!;
        expect(
          b.byteOffset >= lastHeld.byteOffset + lastHeld.length ||
            b.byteOffset + b.length <= first.byteOffset,
        ).toBe(true);
      }
      r.bodyLease!.release();
    }
    expect(held.buffers.map((b) => decodeMessage(b).body.toString().replace(/\.+$/, ''))).toEqual(
      Array.from({ length: held.buffers.length }, (_, i) => `m${i}`),
    );
    held.bodyLease!.release();
    // every message dropped by the CommitLog-side filter: no body to lease
    const none = await store.getMessage('G', 'TopicTest', 0, 0, 32, 0, {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: () => false,
    });
    expect([none.status, none.messageCount, none.bodyLease, none.body]).toEqual([
      'NO_MATCHED_MESSAGE',
      0,
      undefined,
      undefined,
    ]);
    // some dropped: the buffers are no longer one run of the body
    let n = 0;
    const some = await store.getMessage('G', 'TopicTest', 0, 0, 32, 0, {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: () => n++ % 2 === 0,
    });
    expect(some.messageCount).toBeGreaterThan(1);
    expect(some.body).toBeUndefined();
    expect(decodeMessage(some.buffers[1]!).body.toString()).toMatch(/^m2\./);
    some.bodyLease!.release();
  });

  it('a tag filter scans past the first batch of entries (up to 800 a pull), not past its ConsumeQueue file', async () => {
    // 100-entry ConsumeQueue files: the scan of one pull ends at its file's end
    const store = await newStore({ mappedFileSizeConsumeQueue: 100 * 20 });
    for (let i = 0; i < 250; i++)
      await store.putMessage(makeMessage({ tags: i === 70 || i === 130 ? 'TagB' : 'TagA', body: `m${i}` }));
    const first = await store.getMessage('G', 'TopicTest', 0, 0, 32, 0, tagFilter('TagB'));
    expect([first.status, first.queueOffsets, first.nextBeginOffset]).toEqual(['FOUND', [70], 100]);
    const second = await store.getMessage('G', 'TopicTest', 0, 100, 32, 0, tagFilter('TagB'));
    expect([second.status, second.queueOffsets, second.nextBeginOffset]).toEqual(['FOUND', [130], 200]);
    const none = await store.getMessage('G', 'TopicTest', 0, 200, 32, 0, tagFilter('TagB'));
    expect([none.status, none.nextBeginOffset]).toEqual(['NO_MATCHED_MESSAGE', 250]);
  });

  it('stops at maxMsgNums, the byte limits and the per-pull count limit', async () => {
    const store = await newStore({ maxTransferCountOnMessageInMemory: 4 });
    for (let i = 0; i < 10; i++) await store.putMessage(makeMessage({ body: Buffer.alloc(100) }));
    const two = await store.getMessage('G', 'TopicTest', 0, 0, 2);
    expect([two.messageCount, two.nextBeginOffset]).toEqual([2, 2]);
    const capped = await store.getMessage('G', 'TopicTest', 0, 0, 32);
    expect([capped.messageCount, capped.nextBeginOffset]).toEqual([4, 4]);
    const size = capped.buffers[0]!.length;
    const bytes = await store.getMessage('G', 'TopicTest', 0, 0, 32, size * 2 + 1);
    expect(bytes.messageCount).toBe(2);
    expect(bytes.bufferTotalSize).toBe(size * 2);
    expect(Buffer.concat(bytes.buffers).length).toBe(bytes.bufferTotalSize);
  });

  it('reads messages interleaved with other queues correctly (gapped reads)', async () => {
    const store = await newStore({ mappedFileSizeCommitLog: 1024 * 1024 });
    const puts = [];
    for (let i = 0; i < 400; i++)
      puts.push(store.putMessage(makeMessage({ queueId: i % 8, body: `q${i % 8}-${i}` })));
    await Promise.all(puts);
    for (let q = 0; q < 8; q++) {
      const bodies: string[] = [];
      for (let off = 0; off < 50; ) {
        const g = await store.getMessage('G', 'TopicTest', q, off, 32);
        bodies.push(...g.buffers.map((b) => decodeMessage(b).body.toString()));
        off = g.nextBeginOffset;
      }
      expect(bodies).toEqual(Array.from({ length: 50 }, (_, k) => `q${q}-${k * 8 + q}`));
    }
  });

  it('MESSAGE_WAS_REMOVING, OFFSET_FOUND_NULL and OFFSET_TOO_SMALL around deleted files', async () => {
    const clock = new ManualClock();
    const store = await newStore({ mappedFileSizeCommitLog: 8 * 1024 }, clock);
    for (let i = 0; i < 40; i++) await store.putMessage(makeMessage({ body: Buffer.alloc(900) }));
    // CommitLog files deleted, ConsumeQueue not yet cleaned: entries point at nothing
    const deleted = store.commitLogQueue.deleteExpiredFileByTime(0, true);
    expect(deleted).toBeGreaterThan(0);
    const removing = await store.getMessage('G', 'TopicTest', 0, 0, 4);
    expect(removing.status).toBe('MESSAGE_WAS_REMOVING');
    expect(removing.nextBeginOffset).toBeGreaterThan(0);
    // the ConsumeQueue's first file gone while its minimum still points into it
    const cq = store.findConsumeQueue('TopicTest', 0)!;
    cq.mappedFileQueue.mappedFiles.shift()!.destroy();
    const nul = await store.getMessage('G', 'TopicTest', 0, 0, 4);
    expect([nul.status, nul.nextBeginOffset]).toEqual(['OFFSET_FOUND_NULL', 10]);
    // retention corrects the minimum: below it is OFFSET_TOO_SMALL
    store.cleanFilesPeriodically();
    cq.correctMinOffset(store.getMinPhyOffset());
    const min = store.getMinOffsetInQueue('TopicTest', 0);
    expect(min).toBeGreaterThan(0);
    const small = await store.getMessage('G', 'TopicTest', 0, 0, 4);
    expect([small.status, small.nextBeginOffset]).toEqual(['OFFSET_TOO_SMALL', min]);
    const ok = await store.getMessage('G', 'TopicTest', 0, min, 4);
    expect(ok.status).toBe('FOUND');
  });
});

describe('time lookups', () => {
  it('getOffsetInQueueByTime finds the closest store time; earliest times', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const store = await newStore({}, clock);
    for (let i = 0; i < 25; i++) {
      clock.t = 1_700_000_000_000 + i * 1000;
      await store.putMessage(makeMessage());
    }
    const base = 1_700_000_000_000;
    expect(await store.getOffsetInQueueByTime('TopicTest', 0, base + 7000)).toBe(7);
    expect(await store.getOffsetInQueueByTime('TopicTest', 0, base + 7400)).toBe(7);
    expect(await store.getOffsetInQueueByTime('TopicTest', 0, base + 7600)).toBe(8);
    expect(await store.getOffsetInQueueByTime('TopicTest', 0, base + 100_000)).toBe(24);
    expect(await store.getOffsetInQueueByTime('TopicTest', 0, base - 100_000)).toBe(0);
    expect(await store.getEarliestMessageTime('TopicTest', 0)).toBe(base);
    expect(await store.getEarliestMessageTime()).toBe(base);
    expect(await store.getMessageStoreTimeStamp('TopicTest', 0, 3)).toBe(base + 3000);
    expect(await store.getCommitLogOffsetInQueue('TopicTest', 0, 0)).toBe(0);
    expect(await store.getEarliestMessageTime('Nobody', 0)).toBe(-1);
  });
});
