import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../common/message-decoder.js';
import type { DefaultMessageStore } from './default-message-store.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const QUEUES = 8;
const PER_QUEUE = 400;

describe('CommitLogReadCache', () => {
  it('serves pulls of interleaved queues from chunks read once, every message intact', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    // 1 MiB files hold whole 256 KiB chunks; the RecentWrites window is smaller than what is written
    const store = await openStore(tinyConfig(dir, { mappedFileSizeCommitLog: 1024 * 1024 }));
    stores.push(store);
    const body = (q: number, i: number): Buffer => Buffer.alloc(900 + ((q * 7 + i) % 13) * 10, `${q}:${i};`);
    for (let i = 0; i < PER_QUEUE; i++) {
      const puts = [];
      for (let q = 0; q < QUEUES; q++)
        puts.push(store.putMessage(makeMessage({ queueId: q, body: body(q, i) })));
      for (const r of await Promise.all(puts)) expect(r.status).toBe('PUT_OK');
    }
    let pulls = 0;
    for (let q = 0; q < QUEUES; q++) {
      let offset = 0;
      while (offset < PER_QUEUE) {
        const r = await store.getMessage('g', 'TopicTest', q, offset, 32);
        expect(r.status).toBe('FOUND');
        pulls++;
        for (const b of r.buffers) {
          const m = decodeMessage(b);
          expect(m.queueId).toBe(q);
          expect(m.queueOffset).toBe(offset);
          expect(m.body.equals(body(q, offset))).toBe(true);
          offset++;
        }
      }
    }
    // ~3.6 MiB written: the pulls of all eight queues read each chunk about once, not once per queue
    const loads = store.commitLog.readCacheLoads;
    expect(loads).toBeGreaterThan(0);
    expect(loads).toBeLessThan(pulls);
  });
});
