import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { componentLogger } from '../common/logger.js';
import { decodeMessage } from '../common/message-decoder.js';
import { CommitLogWarmer } from './commit-log-warmer.js';
import type { DefaultMessageStore } from './default-message-store.js';
import { MappedFileQueue } from './mapped-file-queue.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const KiB = 1024;
const log = componentLogger('test');
const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
const queues: MappedFileQueue[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const q of queues.splice(0)) q.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function queueWithOneFile(fileSize: number): MappedFileQueue {
  const dir = makeTempDir();
  dirs.push(dir);
  const q = new MappedFileQueue(dir, fileSize, () => Date.now());
  queues.push(q);
  q.getOrCreateMappedFile(0);
  return q;
}

describe('CommitLogWarmer', () => {
  it('reads up to aheadBytes past the writer, within the writer’s file, one read at a time', async () => {
    const q = queueWithOneFile(1024 * KiB);
    const w = new CommitLogWarmer(q, 256 * KiB, log);
    w.activate();
    w.advance(0);
    expect(w.warmedOffset).toBe(256 * KiB);
    // the next read waits for this one; a second call changes nothing
    w.advance(10 * KiB);
    expect(w.warmedOffset).toBe(256 * KiB);
    await w.whenIdle();
    // done, it read on from where the writer was last seen until 256 KiB lay ahead of it
    expect(w.warmedOffset).toBe(512 * KiB);
    w.advance(300 * KiB);
    await w.whenIdle();
    expect(w.warmedOffset).toBe(512 * KiB + 256 * KiB);
    // near the end of the file it stops there: the next file does not exist yet
    w.advance(900 * KiB);
    await w.whenIdle();
    expect(w.warmedOffset).toBe(1024 * KiB);
    w.advance(1000 * KiB);
    await w.whenIdle();
    expect(w.warmedOffset).toBe(1024 * KiB);
  });

  it('reads nothing when off or stopped', async () => {
    const q = queueWithOneFile(1024 * KiB);
    const off = new CommitLogWarmer(q, 0, log);
    off.activate();
    off.advance(0);
    await off.whenIdle();
    expect(off.warmedOffset).toBe(0);
    const stopped = new CommitLogWarmer(q, 64 * KiB, log);
    stopped.activate();
    stopped.stop();
    stopped.advance(0);
    expect(stopped.warmedOffset).toBe(0);
  });

  it('starts reading only once the writer’s pwrites are found cold twice in a row, after a start-up allowance', () => {
    const q = queueWithOneFile(1024 * KiB);
    const w = new CommitLogWarmer(q, 256 * KiB, log);
    const MiB = 1024 * KiB;
    // bytes written and milliseconds taken, at `usPerKiB`, in 1 MiB writes
    const write = (mib: number, usPerKiB: number): void => {
      for (let i = 0; i < mib; i++) w.observeWrite(MiB, (usPerKiB * 1024) / 1000);
    };
    // the first 256 MiB are not judged, however dear
    write(256, 5);
    // warm writes: nothing
    write(256, 0.3);
    w.advance(0);
    expect(w.warmedOffset).toBe(0);
    // one cold window, then a warm one: still nothing
    write(64, 3);
    write(64, 0.3);
    w.advance(0);
    expect(w.warmedOffset).toBe(0);
    // two cold windows in a row: reading ahead from then on
    write(128, 3);
    w.advance(0);
    expect(w.warmedOffset).toBe(256 * KiB);
  });

  it('tells the drop-behind once when the writes turn cold, whatever aheadBytes is', () => {
    const q = queueWithOneFile(1024 * KiB);
    const MiB = 1024 * KiB;
    for (const ahead of [256 * KiB, 0]) {
      let told = 0;
      const w = new CommitLogWarmer(q, ahead, log, () => told++);
      for (let i = 0; i < 256 + 128; i++) w.observeWrite(MiB, 3);
      expect(told, `aheadBytes ${ahead}`).toBe(1);
      for (let i = 0; i < 256; i++) w.observeWrite(MiB, 3);
      expect(told, `aheadBytes ${ahead}`).toBe(1);
    }
  });

  it('stops reading ahead for good in a store once its drop-behind gives pages back', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const store = await openStore(
      tinyConfig(dir, { commitLogWarmAheadBytes: 16 * KiB, commitLogDropBehindBytes: 128 * KiB }),
    );
    stores.push(store);
    const cl = store.commitLog;
    cl.warmer.activate();
    cl.dropBehind.activate();
    const put = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++)
        expect((await store.putMessage(makeMessage({ body: Buffer.alloc(500, i) }))).status).toBe('PUT_OK');
    };
    await put(100);
    await cl.warmer.whenIdle();
    // reading ahead of the writer
    expect(cl.warmer.warmedOffset).toBeGreaterThan(store.getMaxPhyOffset());
    await put(400);
    await cl.mappedFileQueue.flush(0);
    cl.dropBehind.afterFlush();
    expect(cl.dropBehind.droppedOffset).toBeGreaterThan(0);
    await cl.warmer.whenIdle();
    const warmed = cl.warmer.warmedOffset;
    await put(200);
    await cl.warmer.whenIdle();
    expect(cl.warmer.warmedOffset).toBe(warmed);
    expect(store.getMaxPhyOffset()).toBeGreaterThan(warmed);
  });

  it('leaves every message intact in a store that reads ahead while it writes and rolls files', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const config = tinyConfig(dir, { commitLogWarmAheadBytes: 16 * KiB });
    let store = await openStore(config);
    stores.push(store);
    store.commitLog.warmer.activate();
    const bodies: Buffer[] = [];
    const offsets: number[] = [];
    for (let i = 0; i < 400; i++) {
      const body = Buffer.alloc(100 + ((i * 37) % 900), `m${i}-`);
      bodies.push(body);
      const r = await store.putMessage(makeMessage({ body, keys: `k${i}` }));
      expect(r.status).toBe('PUT_OK');
      offsets.push(r.result!.wroteOffset);
    }
    // several 64 KiB files, each read ahead of its writer
    expect(store.commitLog.mappedFileQueue.mappedFiles.length).toBeGreaterThan(3);
    expect(store.commitLog.warmer.warmedOffset).toBeGreaterThan(offsets.at(-1)!);
    const check = async (s: DefaultMessageStore): Promise<void> => {
      for (let i = 0; i < bodies.length; i++) {
        const m = decodeMessage((await s.commitLog.getMessage(offsets[i]!))!);
        expect(m.body.equals(bodies[i]!), `message ${i}`).toBe(true);
      }
    };
    await check(store);
    // and after a restart, recovery finds them all
    await store.shutdown();
    stores.length = 0;
    store = await openStore(config);
    stores.push(store);
    expect(store.getMaxPhyOffset()).toBe(
      offsets.at(-1)! + (await store.commitLog.getMessage(offsets.at(-1)!))!.length,
    );
    await check(store);
  });
});
