import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readLong } from '../common/message-decoder.js';
import { ConsumeQueue } from './consume-queue.js';
import { MappedFile } from './mapped-file.js';
import { CQ_STORE_UNIT_SIZE } from './message-store-config.js';
import { makeTempDir } from './testing/store-fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A queue of `count` entries whose commit log offsets are 100 * (index + 1), in files of 1,000 entries. */
function queueWith(count: number): ConsumeQueue {
  const root = makeTempDir('cometmq-cq-ahead-');
  dirs.push(root);
  const cq = new ConsumeQueue('T', 0, root, 1000 * CQ_STORE_UNIT_SIZE, {
    now: () => Date.now(),
    pickupStoreTimestamp: () => Promise.resolve(-1),
    getMinPhyOffset: () => 0,
    log: pino({ level: 'silent' }),
  });
  append(cq, 0, count);
  return cq;
}

function append(cq: ConsumeQueue, from: number, to: number, base = 100): void {
  for (let i = from; i < to; i++) cq.putMessagePositionInfo(base * (i + 1), 50, i, i);
  cq.flushPending();
}

/** Commit log offsets of the entries read from `index`, `count` asked. */
function offsets(cq: ConsumeQueue, index: number, count: number): number[] {
  const buf = cq.readEntries(index, count)!;
  const out: number[] = [];
  for (let p = 0; p < buf.length; p += CQ_STORE_UNIT_SIZE) out.push(readLong(buf, p));
  return out;
}

function countReads<T>(fn: () => T): { result: T; reads: number } {
  const original = MappedFile.prototype.readSync;
  let reads = 0;
  MappedFile.prototype.readSync = function (this: MappedFile, ...args: Parameters<MappedFile['readSync']>) {
    reads++;
    return original.apply(this, args);
  };
  try {
    return { result: fn(), reads };
  } finally {
    MappedFile.prototype.readSync = original;
  }
}

describe('ConsumeQueue read-ahead', () => {
  it('serves a backlog read a pull at a time from far fewer file reads, every entry right', () => {
    const cq = queueWith(2500);
    const { reads } = countReads(() => {
      for (let index = 0; index < 2500; index += 32) {
        const want = Math.min(32, 1000 - (index % 1000));
        const got = offsets(cq, index, want);
        expect(got).toEqual(Array.from({ length: got.length }, (_, k) => 100 * (index + k + 1)));
        expect(got.length).toBe(Math.min(want, 2500 - index));
      }
    });
    // 79 pulls over three files: a read-ahead of 819 entries each time, never past a file's end
    expect(reads).toBeLessThanOrEqual(8);
  });

  it('sees entries written after a read-ahead, and never returns past what was written', () => {
    const cq = queueWith(100);
    expect(offsets(cq, 0, 32)).toHaveLength(32);
    expect(offsets(cq, 90, 32)).toHaveLength(10);
    append(cq, 100, 150);
    expect(offsets(cq, 90, 32)).toEqual(Array.from({ length: 32 }, (_, k) => 100 * (90 + k + 1)));
  });

  it('forgets what it read when the queue is truncated and written again', () => {
    const cq = queueWith(500);
    expect(offsets(cq, 200, 32)[0]).toBe(20_100);
    // the CommitLog was cut at entry 300's message: entries from 300 go, new ones take their place
    cq.truncateDirtyLogicFiles(100 * 301);
    append(cq, 300, 500, 1000);
    expect(offsets(cq, 300, 2)).toEqual([301_000, 302_000]);
    expect(offsets(cq, 200, 2)).toEqual([20_100, 20_200]);
  });

  it('stops serving a deleted file', () => {
    const cq = queueWith(1500);
    expect(offsets(cq, 10, 4)).toEqual([1100, 1200, 1300, 1400]);
    // every message of the first file is gone from the CommitLog
    expect(cq.deleteExpiredFile(100 * 1001)).toBe(1);
    expect(cq.readEntries(10, 4)).toBeUndefined();
    expect(offsets(cq, 1000, 2)).toEqual([100_100, 100_200]);
  });
});
