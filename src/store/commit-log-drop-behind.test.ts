import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { componentLogger } from '../common/logger.js';
import { decodeMessage } from '../common/message-decoder.js';
import { CommitLogDropBehind } from './commit-log-drop-behind.js';
import type { DefaultMessageStore } from './default-message-store.js';
import { MappedFileQueue } from './mapped-file-queue.js';
import { residentBytes } from './testing/page-cache.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const MiB = 1024 * 1024;
const log = componentLogger('test');
const dirs: string[] = [];
const queues: MappedFileQueue[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const q of queues.splice(0)) q.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A queue of 4 MiB files holding `mib` MiB written and fsynced, positions set as the CommitLog sets them. */
async function writtenQueue(mib: number): Promise<MappedFileQueue> {
  const dir = makeTempDir();
  dirs.push(dir);
  const q = new MappedFileQueue(dir, 4 * MiB, () => Date.now());
  queues.push(q);
  const chunk = Buffer.alloc(MiB, 7);
  for (let off = 0; off < mib * MiB; off += MiB) {
    const mf = q.getOrCreateMappedFile(off)!;
    mf.writeSync(chunk, 0, MiB, off - mf.fileFromOffset);
    mf.wrotePosition = mf.committedPosition = off - mf.fileFromOffset + MiB;
  }
  q.committedWhere = mib * MiB;
  await q.flush(0);
  return q;
}

const residentByFile = (q: MappedFileQueue): number[] => q.mappedFiles.map((f) => residentBytes(f.fileName));

describe('CommitLogDropBehind', () => {
  it('gives back flushed pages more than keepBytes behind the written end, across files, once active', async () => {
    const q = await writtenQueue(20);
    const d = new CommitLogDropBehind(q, 6 * MiB, 1024 * MiB, log);
    d.startAt(0);
    d.afterFlush();
    // not active: nothing
    expect(d.droppedOffset).toBe(0);
    expect(residentByFile(q)).toEqual([4, 4, 4, 4, 4].map((n) => n * MiB));
    expect(d.cachedBytes()).toBe(Number.POSITIVE_INFINITY);
    d.activate();
    expect(d.cachedBytes()).toBe(Number.POSITIVE_INFINITY);
    expect(d.active).toBe(true);
    d.afterFlush();
    expect(d.droppedOffset).toBe(14 * MiB);
    expect(residentByFile(q)).toEqual([0, 0, 0, 2, 4].map((n) => n * MiB));
    expect(d.cachedBytes()).toBe(6 * MiB);
    // nothing more until a step's worth is written and flushed past it
    d.afterFlush();
    expect(d.droppedOffset).toBe(14 * MiB);
  });

  it('never gives back what is not flushed yet', async () => {
    const q = await writtenQueue(20);
    q.flushedWhere = 9 * MiB;
    const d = new CommitLogDropBehind(q, 4 * MiB, 1024 * MiB, log);
    d.startAt(0);
    d.activate();
    d.afterFlush();
    expect(d.droppedOffset).toBe(9 * MiB - ((9 * MiB) % 4096));
  });

  it('keeps what a lagging consumer has yet to read, but only within the in-memory region', async () => {
    const q = await writtenQueue(20);
    const d = new CommitLogDropBehind(q, 4 * MiB, 12 * MiB, log);
    d.startAt(0);
    d.activate();
    // a consumer at 10 MiB: pages from there on stay
    d.neededFrom = () => 10 * MiB;
    d.afterFlush();
    expect(d.droppedOffset).toBe(10 * MiB);
    expect(residentByFile(q)).toEqual([0, 0, 2, 4, 4].map((n) => n * MiB));
    // a consumer at 1 MiB lags by more than the in-memory region (12 MiB): kept no further back than 8 MiB
    const d2 = new CommitLogDropBehind(q, 4 * MiB, 12 * MiB, log);
    d2.startAt(0);
    d2.activate();
    d2.neededFrom = () => 1 * MiB;
    d2.afterFlush();
    expect(d2.droppedOffset).toBe(8 * MiB);
  });

  it('does nothing when keepBytes is 0', async () => {
    const q = await writtenQueue(8);
    const d = new CommitLogDropBehind(q, 0, 1024 * MiB, log);
    d.activate();
    expect(d.active).toBe(false);
    d.afterFlush();
    expect(d.droppedOffset).toBe(0);
  });

  it('a store that gives pages back serves every message, from disk, and shrinks its in-memory region', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const store = await openStore(tinyConfig(dir, { commitLogDropBehindBytes: 128 * 1024 }));
    stores.push(store);
    const cl = store.commitLog;
    cl.dropBehind.activate();
    const bodies: Buffer[] = [];
    const offsets: number[] = [];
    for (let i = 0; i < 600; i++) {
      const body = Buffer.alloc(200 + ((i * 53) % 800), `m${i}-`);
      bodies.push(body);
      const r = await store.putMessage(makeMessage({ body, queueId: i % 4 }));
      expect(r.status).toBe('PUT_OK');
      offsets.push(r.result!.wroteOffset);
    }
    await cl.mappedFileQueue.flush(0);
    cl.dropBehind.afterFlush();
    const end = store.getMaxPhyOffset();
    expect(cl.dropBehind.droppedOffset).toBeGreaterThan(end - 2 * 128 * 1024);
    expect(cl.dropBehind.droppedOffset).toBeLessThanOrEqual(end - 128 * 1024);
    expect(cl.memoryForPageCache()).toBe(end - cl.dropBehind.droppedOffset);
    // the first files' pages are gone from the page cache
    expect(residentBytes(cl.mappedFileQueue.mappedFiles[0]!.fileName)).toBe(0);
    for (let i = 0; i < bodies.length; i++) {
      const m = decodeMessage((await cl.getMessage(offsets[i]!))!);
      expect(m.body.equals(bodies[i]!), `message ${i}`).toBe(true);
    }
    // and through the pull path, which reads what is given back off the event loop
    const got = await store.getMessage('g', 'TopicTest', 0, 0, 32);
    expect(got.status).toBe('FOUND');
    // RocketMQ's limit for messages not in memory (maxTransferCountOnMessageInDisk), not the 32 in memory
    expect(got.messageCount).toBe(8);
  });
});
