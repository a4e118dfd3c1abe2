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

async function newStore(role: 'ASYNC_MASTER' | 'SLAVE') {
  const dir = makeTempDir();
  dirs.push(dir);
  const store = await openStore(tinyConfig(dir, { brokerRole: role, mappedFileSizeCommitLog: 16 * 1024 }));
  stores.push(store);
  return store;
}

/** What HAConnection/HAClient do: ship the master's bytes from the slave's end, in small chunks. */
async function replicate(master: DefaultMessageStore, slave: DefaultMessageStore, chunk: number) {
  for (;;) {
    const from = slave.getMaxPhyOffset();
    const data = await master.readRawCommitLog(from, chunk);
    if (!data) return;
    expect(await slave.appendRawCommitLog(from, data)).toBe(true);
  }
}

describe('HA: raw CommitLog read and append', () => {
  it('a slave fed raw bytes (split mid-message, across files) serves the same queues', async () => {
    const master = await newStore('ASYNC_MASTER');
    const slave = await newStore('SLAVE');
    const dispatched: number[] = [];
    slave.addDispatchListener((r) => dispatched.push(r.consumeQueueOffset));
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        master.putMessage(makeMessage({ queueId: i % 2, body: Buffer.alloc(700, i), keys: `k${i}` })),
      ),
    );
    await replicate(master, slave, 1000);
    expect(slave.getMaxPhyOffset()).toBe(master.getMaxPhyOffset());
    expect(slave.commitLogQueue.mappedFiles.length).toBeGreaterThan(2);
    expect(dispatched.length).toBe(60);
    for (const q of [0, 1]) {
      expect(slave.getMaxOffsetInQueue('TopicTest', q)).toBe(30);
      const a = await master.getMessage('G', 'TopicTest', q, 0, 32);
      const b = await slave.getMessage('G', 'TopicTest', q, 0, 32);
      expect(Buffer.concat(b.buffers).equals(Buffer.concat(a.buffers))).toBe(true);
    }
    expect((await slave.queryMessage('TopicTest', 'k5', 32, 0, Date.now() + 1000)).buffers.length).toBe(1);
    // a gap is refused, and a slave takes no puts
    expect(await slave.appendRawCommitLog(slave.getMaxPhyOffset() + 10, Buffer.alloc(10))).toBe(false);
    expect((await slave.putMessage(makeMessage())).status).toBe('SERVICE_NOT_AVAILABLE');
    // more traffic later, replicated in big chunks
    await master.putMessage(makeMessage({ queueId: 0, body: 'late' }));
    await replicate(master, slave, 32 * 1024);
    const late = await slave.getMessage('G', 'TopicTest', 0, 30, 32);
    expect(decodeMessage(late.buffers[0]!).body.toString()).toBe('late');
  });
});
