import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from '../../store/testing/store-fixture.js';
import { ConsumerOffsetManager } from './consumer-offset-manager.js';
import { lowestCommitLogOffsetToConsume } from './consumer-page-cache-need.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('lowestCommitLogOffsetToConsume', () => {
  it('is where the furthest-behind group reads next, Infinity when all are caught up', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const store = await openStore(tinyConfig(dir));
    stores.push(store);
    // wroteOffset of each message by queue: q0 gets messages 0, 2, 4 ...; q1 gets 1, 3, 5 ...
    const at: number[][] = [[], []];
    for (let i = 0; i < 40; i++) {
      const r = await store.putMessage(makeMessage({ topic: 'T', queueId: i % 2, body: `b${i}` }));
      at[i % 2]!.push(r.result!.wroteOffset);
    }
    const offsets = new ConsumerOffsetManager(dir);
    expect(lowestCommitLogOffsetToConsume(offsets, store)).toBe(Number.POSITIVE_INFINITY);
    offsets.commitOffset('c', 'caughtUp', 'T', 0, 20);
    offsets.commitOffset('c', 'caughtUp', 'T', 1, 20);
    offsets.commitOffset('c', 'noSuchTopic', 'Gone', 0, 3);
    expect(lowestCommitLogOffsetToConsume(offsets, store)).toBe(Number.POSITIVE_INFINITY);
    offsets.commitOffset('c', 'lagging', 'T', 0, 15);
    offsets.commitOffset('c', 'lagging', 'T', 1, 7);
    expect(lowestCommitLogOffsetToConsume(offsets, store)).toBe(at[1]![7]);
    offsets.commitOffset('c', 'further', 'T', 0, 3);
    expect(lowestCommitLogOffsetToConsume(offsets, store)).toBe(at[0]![3]);
  });
});
