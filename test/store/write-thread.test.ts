/**
 * The CommitLog write thread (commitLogWriteWorkerEnable) only exists compiled, so this test drives
 * the built store in dist/ (npm test builds first): body CRCs filled in off the event loop must be
 * the ones the CommitLog would have written, across chunk and file boundaries, and a dead thread
 * must leave a store that keeps writing correct messages on the event loop.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type * as DmsModule from '../../src/store/default-message-store.js';
import { makeMessage, makeTempDir, tinyConfig } from '../../src/store/testing/store-fixture.js';

const DIST = join(import.meta.dirname, '../../dist/src/store/default-message-store.js');
const { DefaultMessageStore } = (await import(DIST)) as typeof DmsModule;
const { decodeMessage, crc32Masked } = (await import(
  join(import.meta.dirname, '../../dist/src/common/message-decoder.js')
)) as typeof import('../../src/common/message-decoder.js');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function readAll(store: InstanceType<typeof DefaultMessageStore>, queues: number) {
  const bodies: Buffer[] = [];
  for (let q = 0; q < queues; q++) {
    let off = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const g = await store.getMessage('G', 'TopicTest', q, off, 32, 16 * 1024 * 1024);
      if (g.status !== 'FOUND') break;
      for (const b of g.buffers) {
        const m = decodeMessage(b, 0, { decompressBody: false });
        expect(m.bodyCRC).toBe(crc32Masked(m.body));
        bodies.push(m.body);
      }
      off = g.nextBeginOffset;
    }
  }
  return bodies;
}

function writeThreadOf(store: InstanceType<typeof DefaultMessageStore>): {
  alive: boolean;
  terminate(): Promise<void>;
} {
  const thread = Reflect.get(store.commitLog, 'writeThread') as
    | { alive: boolean; terminate(): Promise<void> }
    | undefined;
  if (!thread) throw new Error('the built store has no CommitLog write thread');
  return thread;
}

describe('CommitLog write thread (built store)', () => {
  it('fills every body CRC across chunks, big messages and file roll-overs; a dead thread falls back', async () => {
    const dir = makeTempDir('cometmq-write-thread-');
    dirs.push(dir);
    const config = tinyConfig(dir, {
      mappedFileSizeCommitLog: 1024 * 1024,
      maxMessageSize: 512 * 1024,
      commitLogWriteWorkerEnable: true,
    });
    const store = new DefaultMessageStore(config, { storeHost: '127.0.0.1:10911' });
    await store.load();
    await store.start();
    try {
      const thread = writeThreadOf(store);
      expect(thread.alive).toBe(true);
      // sizes cross the 256 KiB encoding chunks and the 1 MiB files (blank entries)
      // many small messages: batches big enough to go to the thread (small ones are done here)
      const small = await Promise.all(
        Array.from({ length: 2000 }, (_, i) =>
          store.putMessage(makeMessage({ queueId: i % 4, body: Buffer.alloc(100 + (i % 50), i % 251) })),
        ),
      );
      expect(small.every((r) => r.status === 'PUT_OK')).toBe(true);
      expect((await readAll(store, 4)).length).toBe(2000);
      const sizes = [1, 1024, 300 * 1024, 7, 200 * 1024, 64 * 1024, 4096];
      const sent: Buffer[] = [];
      const puts = [];
      for (let i = 0; i < 400; i++) {
        const body = Buffer.alloc(sizes[i % sizes.length]!, i % 251);
        if (body.length >= 4) body.writeUInt32BE(i, 0);
        sent.push(body);
        puts.push(store.putMessage(makeMessage({ queueId: i % 4, body })));
      }
      expect((await Promise.all(puts)).every((r) => r.status === 'PUT_OK')).toBe(true);
      const read = (await readAll(store, 4)).filter((b) => b.length < 100 || b.length >= 150);
      expect(read.length).toBe(400);
      const key = (b: Buffer) => `${b.length}:${b.length >= 4 ? b.readUInt32BE(0) : b[0]}`;
      expect(new Set(read.map(key))).toEqual(new Set(sent.map(key)));

      await thread.terminate();
      expect(thread.alive).toBe(false);
      const after = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.putMessage(makeMessage({ queueId: i % 4, body: Buffer.alloc(5000, i) })),
        ),
      );
      expect(after.every((r) => r.status === 'PUT_OK')).toBe(true);
      expect((await readAll(store, 4)).length).toBe(2450);
    } finally {
      await store.shutdown();
    }
  });
});
