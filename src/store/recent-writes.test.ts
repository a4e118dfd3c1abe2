import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DefaultMessageStore } from './default-message-store.js';
import { RecentWrites } from './recent-writes.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The file's own bytes at a CommitLog offset (what a pread returns). */
function fileBytes(store: DefaultMessageStore, offset: number, len: number): Buffer {
  const mf = store.commitLog.mappedFileQueue.findMappedFileByOffset(offset)!;
  const out = Buffer.alloc(len);
  const fd = fs.openSync(mf.fileName, 'r');
  try {
    fs.readSync(fd, out, 0, len, offset - mf.fileFromOffset);
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

function recentOf(store: DefaultMessageStore): RecentWrites {
  const r = Reflect.get(store.commitLog, 'recent') as RecentWrites | undefined;
  if (!r) throw new Error('the CommitLog keeps no recent writes');
  return r;
}

async function filledStore(messages: number) {
  const dir = makeTempDir('cometmq-recent-');
  dirs.push(dir);
  const store = await openStore(tinyConfig(dir, { mappedFileSizeCommitLog: 64 * 1024 }));
  stores.push(store);
  const results = [];
  for (let i = 0; i < messages; i += 50) {
    // 50 a turn: several batches, several files (blank entries between them)
    const turn = Array.from({ length: Math.min(50, messages - i) }, (_, k) =>
      store.putMessage(
        makeMessage({ queueId: (i + k) % 4, body: Buffer.alloc(300 + ((i + k) % 700), (i + k) % 251) }),
      ),
    );
    results.push(...(await Promise.all(turn)));
  }
  expect(results.every((r) => r.status === 'PUT_OK')).toBe(true);
  return { store, msgs: results.map((r) => ({ offset: r.result!.wroteOffset, size: r.result!.wroteBytes })) };
}

describe('RecentWrites', () => {
  it('serves just-written messages from memory, byte for byte as the file holds them', async () => {
    const { store, msgs } = await filledStore(400);
    const recent = recentOf(store);
    let served = 0;
    for (const m of msgs) {
      const into = Buffer.alloc(m.size + 10, 0xee);
      if (!recent.read(m.offset, into, 5, m.size)) continue;
      served++;
      expect(into.subarray(5, 5 + m.size).equals(fileBytes(store, m.offset, m.size))).toBe(true);
      expect(into[4]).toBe(0xee);
      expect(into[5 + m.size]).toBe(0xee);
    }
    expect(served).toBe(msgs.length); // 400 small messages are far below the limit
    // several messages at once, across batches within one file
    const a = msgs[10]!;
    const b = msgs[60]!;
    if (Math.floor(a.offset / 65536) === Math.floor((b.offset + b.size) / 65536)) {
      const len = b.offset + b.size - a.offset;
      const into = Buffer.alloc(len);
      expect(recent.read(a.offset, into, 0, len)).toBe(true);
      expect(into.equals(fileBytes(store, a.offset, len))).toBe(true);
    }
    // the store's own reads give the same bytes
    for (const m of msgs.slice(-20))
      expect(
        (await store.commitLog.getData(m.offset, m.size))!.equals(fileBytes(store, m.offset, m.size)),
      ).toBe(true);
  });

  it('a range over a file end (the blank tail) or past what is written is not served', async () => {
    const { store, msgs } = await filledStore(200);
    const recent = recentOf(store);
    const lastInFirst = msgs.filter((m) => m.offset < 65536).pop()!;
    // from the last message of the first file to the end of that file: the blank tail was never encoded
    const len = 65536 - lastInFirst.offset;
    expect(recent.read(lastInFirst.offset, Buffer.alloc(len), 0, len)).toBe(false);
    const end = store.commitLog.getMaxOffset();
    expect(recent.read(end - 4, Buffer.alloc(8), 0, 8)).toBe(false);
  });

  it('keeps at most its limit, oldest batches first, and hands their chunks back', () => {
    const released: number[] = [];
    const recent = new RecentWrites(600, (c) => released.push(c.id));
    const file = { fileFromOffset: 1000 } as never;
    const batch = (id: number, filePos: number, len: number) => {
      const buf = Buffer.alloc(256, id);
      const chunk = { buf, id, pos: len, dv: new DataView(buf.buffer) } as never;
      return { segments: [{ file, filePos, chunk, start: 0, end: len }], chunks: [chunk] } as never;
    };
    recent.add(batch(1, 0, 100));
    recent.add(batch(2, 100, 100));
    const into = Buffer.alloc(150);
    expect(recent.read(1050, into, 0, 150)).toBe(true); // spans both batches
    expect([into[0], into[49], into[50], into[149]]).toEqual([1, 1, 2, 2]);
    recent.add(batch(3, 200, 100)); // 3 x 256 > 600: batch 1 goes
    expect(released).toEqual([1]);
    expect(recent.read(1050, into, 0, 100)).toBe(false);
    expect(recent.read(1100, into, 0, 150)).toBe(true);
    recent.clear();
    expect(released).toEqual([1, 2, 3]);
    expect(recent.read(1100, into, 0, 10)).toBe(false);
  });
});
