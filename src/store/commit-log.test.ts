import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageSysFlag, TopicValidator } from '../common/message-const.js';
import { BLANK_MAGIC_CODE, decodeMessage, MESSAGE_MAGIC_CODE } from '../common/message-decoder.js';
import { encodeSocketAddress } from '../common/message-id.js';
import { checkMessageAndReturnSize } from './commit-log-scanner.js';
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
  const config = tinyConfig(dir, overrides);
  const store = await openStore(config);
  stores.push(store);
  return { dir, store, config };
}

describe('CommitLog', () => {
  it('rolls over with a blank end-of-file entry; files named by 20-digit start offset', async () => {
    const { dir, store, config } = await newStore();
    const size = config.mappedFileSizeCommitLog;
    const rs = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.putMessage(makeMessage({ body: Buffer.alloc(500 + (i % 7) * 50, i) })),
      ),
    );
    const names = fs.readdirSync(join(dir, 'commitlog')).sort();
    expect(names.length).toBeGreaterThan(2);
    for (const [i, n] of names.entries()) expect(n).toBe(String(i * size).padStart(20, '0'));
    let expectedOffset = 0;
    let msgIndex = 0;
    for (const name of names) {
      const buf = fs.readFileSync(join(dir, 'commitlog', name));
      expect(buf.length).toBe(size);
      let pos = 0;
      for (;;) {
        const r = checkMessageAndReturnSize(buf, pos, true, () => 0);
        if (r.kind === 'blank') {
          expect(buf.readInt32BE(pos + 4)).toBe(BLANK_MAGIC_CODE);
          expect(r.size).toBe(size - pos); // the blank claims the rest of the file
          expectedOffset += r.size;
          break;
        }
        if (r.kind !== 'message') break;
        expect(r.request.commitLogOffset).toBe(expectedOffset);
        expect(rs[msgIndex]!.result!.wroteOffset).toBe(expectedOffset);
        expect(r.request.consumeQueueOffset).toBe(msgIndex);
        msgIndex++;
        expectedOffset += r.request.msgSize;
        pos += r.request.msgSize;
      }
    }
    expect(msgIndex).toBe(300);
    expect(store.getMaxPhyOffset()).toBe(expectedOffset);
    // a message never straddles files: each whole message can be looked up by offset
    for (const r of rs) {
      const b = await store.lookMessageByOffset(r.result!.wroteOffset);
      expect(b!.readInt32BE(4)).toBe(MESSAGE_MAGIC_CODE);
      expect(b!.length).toBe(r.result!.wroteBytes);
    }
  });

  it('stores IPv6 born and store hosts with the V6 sysFlag bits', async () => {
    const { store } = await newStore();
    const r = await store.putMessage(
      makeMessage({
        bornHost: encodeSocketAddress('[2001:db8::1]:5000'),
        storeHost: encodeSocketAddress('[fe80::2]:10911'),
      }),
    );
    expect(r.result!.msgId).toBe('FE80000000000000000000000000000200002A9F0000000000000000');
    const m = decodeMessage((await store.lookMessageByOffset(0))!);
    expect(m.sysFlag & (MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG)).toBe(
      0x30,
    );
    expect(m.bornHost).toBe('2001:db8:0:0:0:0:0:1:5000');
    expect(m.storeHost).toBe('fe80:0:0:0:0:0:0:2:10911');
    expect(m.msgId).toBe(r.result!.msgId);
  });

  it('a decode of what the encoder stored equals the input', async () => {
    const { store } = await newStore();
    const input = makeMessage({
      topic: 'T-é',
      queueId: 2,
      body: 'bödy',
      tags: 'TagA',
      keys: 'a b',
      uniqKey: 'U1',
      properties: { X: 'ünï 😀' },
    });
    input.flag = 5;
    input.reconsumeTimes = 3;
    input.preparedTransactionOffset = 2 ** 40;
    input.bornTimestamp = 1_700_000_000_123;
    const r = await store.putMessage(input);
    const m = decodeMessage((await store.lookMessageByOffset(r.result!.wroteOffset))!);
    expect(m).toMatchObject({
      topic: 'T-é',
      queueId: 2,
      flag: 5,
      reconsumeTimes: 3,
      preparedTransactionOffset: 2 ** 40,
      bornTimestamp: 1_700_000_000_123,
      bornHost: '10.1.2.3:50000',
      storeHost: '192.168.0.1:10911',
      storeTimestamp: r.result!.storeTimestamp,
      queueOffset: 0,
      commitLogOffset: r.result!.wroteOffset,
      properties: { X: 'ünï 😀', TAGS: 'TagA', KEYS: 'a b', UNIQ_KEY: 'U1' },
    });
    expect(m.body.toString()).toBe('bödy');
  });

  it('rejects oversized messages and properties with a clear status', async () => {
    const { store } = await newStore({ maxMessageSize: 4096 });
    const big = await store.putMessage(makeMessage({ body: Buffer.alloc(5000) }));
    expect(big.status).toBe('MESSAGE_ILLEGAL');
    expect(big.remark).toMatch(/maxMessageSize/);
    const props = await store.putMessage(makeMessage({ properties: { X: 'é'.repeat(17000) } }));
    expect(props.status).toBe('PROPERTIES_SIZE_EXCEEDED');
    const ok = await store.putMessage(makeMessage());
    expect(ok.status).toBe('PUT_OK');
    expect(ok.result!.queueOffset).toBe(0); // rejected messages took no queue offset
  });

  it('batch put: consecutive queue offsets, individual entries, one file', async () => {
    const { store } = await newStore();
    await store.putMessage(makeMessage({ queueId: 1 }));
    const r = await store.putMessages(
      Array.from({ length: 10 }, (_, i) => makeMessage({ queueId: 1, body: `m${i}`, keys: `k${i}` })),
    );
    expect(r.status).toBe('PUT_OK');
    expect(r.results!.map((x) => x.queueOffset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // ConsumeQueue files hold 10 entries here, and one pull never crosses a file (as getIndexBuffer)
    const g = await store.getMessage('G', 'TopicTest', 1, 1, 32);
    expect([g.messageCount, g.nextBeginOffset]).toEqual([9, 10]);
    const g2 = await store.getMessage('G', 'TopicTest', 1, 10, 32);
    expect([...g.buffers, ...g2.buffers].map((b) => decodeMessage(b).body.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    const mixed = await store.putMessages([makeMessage({ queueId: 1 }), makeMessage({ queueId: 2 })]);
    expect(mixed.status).toBe('MESSAGE_ILLEGAL');
  });

  it('prepared transaction messages take no queue offset and are not consumable', async () => {
    const { store } = await newStore();
    const half = await store.putMessage(makeMessage({ sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }));
    expect(half.result!.queueOffset).toBe(0);
    const normal = await store.putMessage(makeMessage());
    expect(normal.result!.queueOffset).toBe(0);
    expect(store.getMaxOffsetInQueue('TopicTest', 0)).toBe(1);
    const g = await store.getMessage('G', 'TopicTest', 0, 0, 32);
    expect(g.buffers.map((b) => decodeMessage(b).commitLogOffset)).toEqual([normal.result!.wroteOffset]);
  });

  it('delayed messages are parked in SCHEDULE_TOPIC_XXXX with the deliver time as tags code', async () => {
    const { store } = await newStore();
    const r = await store.putMessage(makeMessage({ topic: 'Real', queueId: 3, properties: { DELAY: '3' } }));
    expect(r.status).toBe('PUT_OK');
    const g = await store.getMessage('G', TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, 2, 0, 32, 0, {
      isMatchedByConsumeQueue: (tagsCode) => tagsCode === r.result!.storeTimestamp + 10_000,
    });
    expect(g.status).toBe('FOUND');
    const m = decodeMessage(g.buffers[0]!);
    expect(m.topic).toBe('SCHEDULE_TOPIC_XXXX');
    expect(m.properties).toMatchObject({ REAL_TOPIC: 'Real', REAL_QID: '3', DELAY: '3' });
  });

  it('appends made in one event-loop turn go out in one write', async () => {
    const { store } = await newStore();
    const mf = () => store.commitLog.mappedFileQueue.getLastMappedFile();
    await store.putMessage(makeMessage());
    const file = mf()!;
    let writes = 0;
    const orig = file.write.bind(file);
    file.write = (...args: Parameters<typeof orig>) => {
      writes++;
      return orig(...args);
    };
    // a batch is written synchronously (commit-log-writer.ts) unless it holds a message of megabytes
    const origSync = file.writeSync.bind(file);
    file.writeSync = (...args: Parameters<typeof origSync>) => {
      writes++;
      origSync(...args);
    };
    await Promise.all(Array.from({ length: 20 }, () => store.putMessage(makeMessage({ body: 'x' }))));
    expect(writes).toBe(1);
  });

  it('OS_PAGECACHE_BUSY while a write hangs past osPageCacheBusyTimeOutMills', async () => {
    const { store } = await newStore({
      osPageCacheBusyTimeOutMills: 50,
      maxMessageSize: 512 * 1024,
      mappedFileSizeCommitLog: 1024 * 1024,
    });
    await store.putMessage(makeMessage());
    const file = store.commitLogQueue.getLastMappedFile()!;
    const orig = file.write.bind(file);
    file.write = (...args: Parameters<typeof orig>) =>
      new Promise<void>((r) => setTimeout(r, 300)).then(() => orig(...args));
    // big enough to be written on the pool, where a write can hang without holding the event loop
    const slow = store.putMessage(makeMessage({ body: Buffer.alloc(300 * 1024, 'z') }));
    await new Promise((r) => setTimeout(r, 120));
    expect((await store.putMessage(makeMessage())).status).toBe('OS_PAGECACHE_BUSY');
    expect((await slow).status).toBe('PUT_OK');
    file.write = orig;
    expect((await store.putMessage(makeMessage())).result!.queueOffset).toBe(2);
  });

  it('a failed write fails its appends and hands their offsets out again', async () => {
    const { store } = await newStore({ maxMessageSize: 512 * 1024, mappedFileSizeCommitLog: 1024 * 1024 });
    await store.putMessage(makeMessage());
    const file = store.commitLogQueue.getLastMappedFile()!;
    const orig = file.write.bind(file);
    const origSync = file.writeSync.bind(file);
    file.write = () => Promise.reject(new Error('EIO (simulated)'));
    file.writeSync = () => {
      throw new Error('EIO (simulated, synchronous)');
    };
    const failedPuts = await Promise.all([store.putMessage(makeMessage()), store.putMessage(makeMessage())]);
    expect(failedPuts.map((r) => r.status)).toEqual(['UNKNOWN_ERROR', 'UNKNOWN_ERROR']);
    expect(failedPuts[0]!.remark).toMatch(/EIO/);
    expect(failedPuts[0]!.remark).toMatch(/synchronous/);
    // the same on the pool, where a batch holding a message of hundreds of KiB is written
    const big = Buffer.alloc(300 * 1024, 'b');
    const failedBig = await Promise.all([
      store.putMessage(makeMessage({ body: big })),
      store.putMessage(makeMessage()),
    ]);
    expect(failedBig.map((r) => r.status)).toEqual(['UNKNOWN_ERROR', 'UNKNOWN_ERROR']);
    expect(failedBig[0]!.remark).toMatch(/EIO \(simulated\)$/);
    file.write = orig;
    file.writeSync = origSync;
    const ok = await store.putMessage(makeMessage({ body: 'again' }));
    expect(ok.result!.queueOffset).toBe(1);
    const g = await store.getMessage('G', 'TopicTest', 0, 0, 32);
    expect(g.buffers.map((b) => decodeMessage(b).body.toString())).toEqual(['hello', 'again']);
  });
});
