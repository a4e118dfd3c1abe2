import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BODY_CRC_POSITION, crc32Masked, decodeMessage } from '../common/message-decoder.js';
import type { DefaultMessageStore } from '../store/default-message-store.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from '../store/testing/store-fixture.js';
import { innerFromStoredBytes } from './stored-message-inner.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function storedAt(store: DefaultMessageStore, offset: number): Promise<Buffer> {
  const buf = await store.commitLog.getMessage(offset);
  if (!buf) throw new Error(`no message at ${offset}`);
  return buf;
}

describe('innerFromStoredBytes', () => {
  it('puts a stored message into its real topic with the body and body CRC it was stored with', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const store = await openStore(tinyConfig(dir));
    stores.push(store);
    const body = Buffer.alloc(1024, 'half body ');
    const half = makeMessage({
      topic: 'RMQ_SYS_TRANS_HALF_TOPIC',
      body,
      tags: 'TagA',
      properties: { REAL_TOPIC: 'Real', REAL_QID: '2', PGROUP: 'G' },
    });
    const put = await store.putMessage(half);
    expect(put.status).toBe('PUT_OK');
    const s = innerFromStoredBytes(await storedAt(store, put.result!.wroteOffset))!;
    expect([s.realTopic, s.realQueueId, s.inner.topic, s.inner.queueId]).toEqual(['Real', 2, 'Real', 2]);
    expect(s.inner.bodyCRC).toBe(crc32Masked(body));

    const again = await store.putMessage(s.inner);
    expect(again.status).toBe('PUT_OK');
    const stored = await storedAt(store, again.result!.wroteOffset);
    const m = decodeMessage(stored);
    expect([m.topic, m.queueId, m.body.equals(body)]).toEqual(['Real', 2, true]);
    // the CRC a Java reader checks (checkCRCOnRecover, MessageDecoder): the body's
    expect(stored.readInt32BE(BODY_CRC_POSITION)).toBe(crc32Masked(body));
  });

  it('a put with its body CRC known writes that one; without, the CRC is computed', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const store = await openStore(tinyConfig(dir));
    stores.push(store);
    const known = makeMessage({ body: 'x' });
    known.bodyCRC = 12345;
    const a = await store.putMessage(known);
    expect((await storedAt(store, a.result!.wroteOffset)).readInt32BE(BODY_CRC_POSITION)).toBe(12345);
    const b = await store.putMessage(makeMessage({ body: 'x' }));
    expect((await storedAt(store, b.result!.wroteOffset)).readInt32BE(BODY_CRC_POSITION)).toBe(
      crc32Masked(Buffer.from('x')),
    );
  });
});
