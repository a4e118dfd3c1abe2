import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../common/scheduler.js';
import type { DefaultMessageStore } from './default-message-store.js';
import type { MessageStoreConfig } from './message-store-config.js';
import { isItTimeToDo } from './store-cleaner.js';
import { ManualClock, makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const HOUR = 3_600_000;

/** Retention unlinks old files on the libuv pool: let those calls finish before listing folders. */
async function settleUnlinks(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
}

async function setup(overrides: Partial<MessageStoreConfig> = {}) {
  const dir = makeTempDir();
  dirs.push(dir);
  // local 03:00 on some day: deleteWhen "04" is not due yet
  const start = new Date(2024, 5, 10, 3, 0, 0).getTime();
  const clock = new ManualClock(start);
  let usage = 0.3;
  const config = tinyConfig(dir, {
    mappedFileSizeCommitLog: 8 * 1024,
    fileReservedTime: 2,
    maxHashSlotNum: 16,
    maxIndexNum: 30,
    ...overrides,
  });
  const store = await openStore(config, { scheduler: new Scheduler(clock), diskUsage: () => usage });
  stores.push(store);
  return { store, clock, dir, setUsage: (u: number) => (usage = u) };
}

async function putMany(store: DefaultMessageStore, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await store.putMessage(makeMessage({ queueId: i % 2, body: Buffer.alloc(900), keys: `k${i}` }));
    expect(r.status).toBe('PUT_OK');
  }
}

describe('retention', () => {
  it('deletes CommitLog files older than fileReservedTime at the deleteWhen hour; queue minimums follow', async () => {
    const { store, clock, dir } = await setup();
    await putMany(store, 40); // about 5 files, written at 03:00
    const files = () => fs.readdirSync(join(dir, 'commitlog')).length;
    const before = files();
    expect(before).toBeGreaterThan(3);
    clock.t += HOUR; // 04:00, files 1 h old: younger than fileReservedTime
    expect(store.cleanFilesPeriodically().commitLogFilesDeleted).toBe(0);
    clock.t += 2 * HOUR; // 06:00: old enough, but not the deleteWhen hour
    expect(store.cleanFilesPeriodically().commitLogFilesDeleted).toBe(0);
    clock.t += 22 * HOUR; // 04:00 the next day
    await putMany(store, 2); // the last file (or two, when these roll over) is fresh
    const deleted = store.cleanFilesPeriodically().commitLogFilesDeleted;
    expect(deleted).toBeGreaterThanOrEqual(before - 1);
    await settleUnlinks();
    expect(files()).toBeLessThanOrEqual(2);
    const minPhy = store.getMinPhyOffset();
    expect(minPhy).toBeGreaterThan(0);
    // ConsumeQueue minimums moved past the messages that are gone
    for (const q of [0, 1]) {
      const min = store.getMinOffsetInQueue('TopicTest', q);
      expect(min).toBeGreaterThan(0);
      const g = await store.getMessage('G', 'TopicTest', q, min, 32);
      expect(g.status).toBe('FOUND');
      const tooSmall = await store.getMessage('G', 'TopicTest', q, 0, 32);
      expect([tooSmall.status, tooSmall.nextBeginOffset]).toEqual(['OFFSET_TOO_SMALL', min]);
    }
    // ConsumeQueue files (10 entries each) and index files that only covered deleted messages are gone
    await settleUnlinks();
    const cqFiles = fs.readdirSync(join(dir, 'consumequeue', 'TopicTest', '0'));
    expect(cqFiles.every((n) => Number(n) >= 20 * 10 || Number(n) === 0)).toBe(true);
    expect(cqFiles.length).toBeLessThan(3);
    expect(
      store.indexService!.indexFileList.every((f, i, a) => i === a.length - 1 || f.endPhyOffset >= minPhy),
    ).toBe(true);
  });

  it('past diskMaxUsedSpaceRatio deletes at any hour; past 85% at any age; past 90% refuses writes', async () => {
    const { store, dir, setUsage } = await setup();
    await putMany(store, 40);
    const files = () => fs.readdirSync(join(dir, 'commitlog')).length;
    const before = files();
    setUsage(0.8); // above 75%: due now, but files are young
    expect(store.cleanFilesPeriodically().commitLogFilesDeleted).toBe(0);
    setUsage(0.95); // beyond 90%: any age, and no more writes
    expect(store.cleanFilesPeriodically().commitLogFilesDeleted).toBe(before - 1);
    const refused = await store.putMessage(makeMessage());
    expect(refused.status).toBe('SERVICE_NOT_AVAILABLE');
    expect(refused.remark).toMatch(/disk/);
    setUsage(0.5);
    store.cleanFilesPeriodically();
    expect((await store.putMessage(makeMessage())).status).toBe('PUT_OK');
  });

  it('manual deletion ignores the hour', async () => {
    const { store, clock } = await setup();
    await putMany(store, 30);
    clock.t += 5 * HOUR; // 08:00
    await putMany(store, 1);
    store.executeDeleteFilesManually();
    expect(store.cleanFilesPeriodically().commitLogFilesDeleted).toBeGreaterThan(0);
  });

  it('isItTimeToDo reads deleteWhen as hours', () => {
    const at = (h: number) => new Date(2024, 0, 1, h, 30).getTime();
    expect(isItTimeToDo('04', at(4))).toBe(true);
    expect(isItTimeToDo('04', at(5))).toBe(false);
    expect(isItTimeToDo('01;04;23', at(23))).toBe(true);
  });
});
