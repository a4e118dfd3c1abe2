import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../common/message-decoder.js';
import { Scheduler } from '../common/scheduler.js';
import type { DefaultMessageStore } from './default-message-store.js';
import type { MessageStoreConfig } from './message-store-config.js';
import { ManualClock, makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = makeTempDir();
  dirs.push(d);
  return d;
}

/** A store whose timers never fire: dropping it without shutdown() is a crash (the abort file stays). */
async function open(config: MessageStoreConfig): Promise<DefaultMessageStore> {
  return openStore(config, { scheduler: new Scheduler(new ManualClock(Date.now())) });
}

async function fill(store: DefaultMessageStore, n: number, queues = 2, size = 600) {
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      store.putMessage(makeMessage({ queueId: i % queues, body: Buffer.alloc(size, i), keys: `K${i}` })),
    ),
  );
  expect(rs.every((r) => r.status === 'PUT_OK')).toBe(true);
  return rs;
}

async function readAll(store: DefaultMessageStore, queueId: number): Promise<number[]> {
  const out: number[] = [];
  let off = store.getMinOffsetInQueue('TopicTest', queueId);
  for (;;) {
    const g = await store.getMessage('G', 'TopicTest', queueId, off, 32);
    if (g.status !== 'FOUND') break;
    for (const b of g.buffers) out.push(decodeMessage(b).queueOffset);
    off = g.nextBeginOffset;
  }
  return out;
}

describe('recovery', () => {
  it('clean shutdown: everything back, appends continue where they stopped', async () => {
    const config = tinyConfig(newDir());
    const a = await open(config);
    await fill(a, 300);
    const maxPhy = a.getMaxPhyOffset();
    await a.shutdown();
    expect(fs.existsSync(join(config.storePathRootDir, 'abort'))).toBe(false);
    const b = await open(config);
    stores.push(b);
    expect(b.getMaxPhyOffset()).toBe(maxPhy);
    expect(b.getMaxOffsetInQueue('TopicTest', 0)).toBe(150);
    expect(await readAll(b, 1)).toEqual([...Array(150).keys()]);
    const r = await b.putMessage(makeMessage({ queueId: 1 }));
    expect([r.result!.queueOffset, r.result!.wroteOffset >= maxPhy]).toEqual([150, true]);
    const q = await b.queryMessage('TopicTest', 'K7', 32, 0, Date.now() + 1000);
    expect(q.buffers.map((x) => decodeMessage(x).properties.KEYS)).toEqual(['K7']);
  });

  it('crash: a torn last message (tail never written) is cut, with its ConsumeQueue and index entries; offsets stay dense', async () => {
    const config = tinyConfig(newDir());
    const a = await open(config);
    const rs = await fill(a, 120);
    await a.commitLog.waitWritten();
    // crash: no shutdown. Then tear the last message's bytes.
    const last = rs[rs.length - 1]!.result!;
    const fileSize = config.mappedFileSizeCommitLog;
    const file = join(
      config.storePathRootDir,
      'commitlog',
      String(last.wroteOffset - (last.wroteOffset % fileSize)).padStart(20, '0'),
    );
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(20), 0, 20, (last.wroteOffset % fileSize) + last.wroteBytes - 20);
    fs.closeSync(fd);
    const b = await open(config);
    stores.push(b);
    expect(b.getMaxPhyOffset()).toBe(last.wroteOffset);
    // 120 messages over 2 queues: the last (queue 1, offset 59) is gone
    expect(b.getMaxOffsetInQueue('TopicTest', 1)).toBe(59);
    expect(b.getMaxOffsetInQueue('TopicTest', 0)).toBe(60);
    expect(await readAll(b, 1)).toEqual([...Array(59).keys()]);
    expect((await b.queryMessage('TopicTest', 'K119', 32, 0, Date.now() + 1000)).buffers).toEqual([]);
    expect((await b.queryMessage('TopicTest', 'K118', 32, 0, Date.now() + 1000)).buffers.length).toBe(1);
    // the hole is reused: the next message takes the cut offset and queue offset
    const r = await b.putMessage(makeMessage({ queueId: 1, body: 'after' }));
    expect([r.result!.wroteOffset, r.result!.queueOffset]).toEqual([last.wroteOffset, 59]);
    expect(await readAll(b, 1)).toEqual([...Array(60).keys()]);
  });

  it('crash: ConsumeQueues and index lost entirely are rebuilt from the CommitLog', async () => {
    const config = tinyConfig(newDir());
    const a = await open(config);
    await fill(a, 200, 4);
    await a.commitLog.waitWritten();
    fs.rmSync(join(config.storePathRootDir, 'consumequeue'), { recursive: true });
    fs.rmSync(join(config.storePathRootDir, 'index'), { recursive: true });
    const b = await open(config);
    stores.push(b);
    for (let q = 0; q < 4; q++) expect(await readAll(b, q)).toEqual([...Array(50).keys()]);
    const q = await b.queryMessage('TopicTest', 'K3', 32, 0, Date.now() + 1000);
    expect(q.buffers.length).toBe(1);
  });

  it('crash: ConsumeQueue entries beyond a cut CommitLog are dropped even when many files go', async () => {
    const config = tinyConfig(newDir());
    const a = await open(config);
    const rs = await fill(a, 200, 1);
    await a.commitLog.waitWritten();
    // zero the CommitLog from message 100 on: as if those pages never reached the disk
    const cut = rs[100]!.result!.wroteOffset;
    const size = config.mappedFileSizeCommitLog;
    for (const name of fs.readdirSync(join(config.storePathRootDir, 'commitlog'))) {
      const start = Number(name);
      if (start + size <= cut) continue;
      const from = Math.max(0, cut - start);
      const fd = fs.openSync(join(config.storePathRootDir, 'commitlog', name), 'r+');
      fs.writeSync(fd, Buffer.alloc(size - from), 0, size - from, from);
      fs.closeSync(fd);
    }
    const b = await open(config);
    stores.push(b);
    expect(b.getMaxPhyOffset()).toBe(cut);
    expect(b.getMaxOffsetInQueue('TopicTest', 0)).toBe(100);
    expect(await readAll(b, 0)).toEqual([...Array(100).keys()]);
    const r = await b.putMessage(makeMessage({ queueId: 0 }));
    expect(r.result!.queueOffset).toBe(100);
  });

  it('crash: a body that fails its CRC ends the log there', async () => {
    const config = tinyConfig(newDir());
    const a = await open(config);
    const rs = await fill(a, 50, 1);
    await a.commitLog.waitWritten();
    const bad = rs[47]!.result!;
    const size = config.mappedFileSizeCommitLog;
    const file = join(
      config.storePathRootDir,
      'commitlog',
      String(bad.wroteOffset - (bad.wroteOffset % size)).padStart(20, '0'),
    );
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, (bad.wroteOffset % size) + 200); // inside the body
    fs.closeSync(fd);
    const b = await open(config);
    stores.push(b);
    expect(b.getMaxPhyOffset()).toBe(bad.wroteOffset);
    expect(await readAll(b, 0)).toEqual([...Array(47).keys()]);
  });
});
