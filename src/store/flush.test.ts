import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DefaultMessageStore } from './default-message-store.js';
import type { MessageStoreConfig } from './message-store-config.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function newStore(overrides: Partial<MessageStoreConfig> = {}) {
  const dir = makeTempDir();
  dirs.push(dir);
  const store = await openStore(
    tinyConfig(dir, { flushDiskType: 'SYNC_FLUSH', mappedFileSizeCommitLog: 1 << 20, ...overrides }),
  );
  stores.push(store);
  return store;
}

describe('SYNC_FLUSH group commit', () => {
  it('answers each put only once an fsync covers it, many puts sharing one fsync', async () => {
    const store = await newStore();
    await store.putMessage(makeMessage());
    const file = store.commitLogQueue.getLastMappedFile()!;
    let fsyncs = 0;
    const orig = file.fsync.bind(file);
    file.fsync = () => {
      fsyncs++;
      return orig();
    };
    const covered: boolean[] = [];
    const puts = Array.from({ length: 200 }, () =>
      store.putMessage(makeMessage({ body: Buffer.alloc(200) })).then((r) => {
        covered.push(store.commitLogQueue.flushedWhere >= r.result!.wroteOffset + r.result!.wroteBytes);
        return r;
      }),
    );
    const rs = await Promise.all(puts);
    expect(rs.every((r) => r.status === 'PUT_OK')).toBe(true);
    expect(covered.every(Boolean)).toBe(true);
    expect(fsyncs).toBeGreaterThanOrEqual(1);
    expect(fsyncs).toBeLessThan(20);
  });

  it('FLUSH_DISK_TIMEOUT when the fsync outlasts syncFlushTimeout; WAIT=false does not wait', async () => {
    const store = await newStore({ syncFlushTimeout: 150 });
    await store.putMessage(makeMessage());
    const file = store.commitLogQueue.getLastMappedFile()!;
    const orig = file.fsync.bind(file);
    file.fsync = () => new Promise((resolve) => setTimeout(resolve, 1000)).then(orig);
    const t0 = Date.now();
    const [slow, nowait] = await Promise.all([
      store.putMessage(makeMessage()),
      store.putMessage(makeMessage({ properties: { WAIT: 'false' } })),
    ]);
    expect(slow.status).toBe('FLUSH_DISK_TIMEOUT');
    expect(slow.result!.queueOffset).toBe(1); // stored all the same
    expect(nowait.status).toBe('PUT_OK');
    expect(Date.now() - t0).toBeLessThan(900);
    file.fsync = orig;
  });
});

describe('ASYNC_FLUSH', () => {
  it('answers on write and fsyncs on its interval', async () => {
    const store = await newStore({
      flushDiskType: 'ASYNC_FLUSH',
      flushIntervalCommitLog: 20,
      flushCommitLogLeastPages: 0,
    });
    const r = await store.putMessage(makeMessage({ body: Buffer.alloc(10_000) }));
    expect(r.status).toBe('PUT_OK');
    const end = r.result!.wroteOffset + r.result!.wroteBytes;
    for (let i = 0; i < 100 && store.commitLogQueue.flushedWhere < end; i++)
      await new Promise((res) => setTimeout(res, 10));
    expect(store.commitLogQueue.flushedWhere).toBe(end);
  });
});
