import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MQBrokerError } from '../errors.js';
import { createMessageQueue, type MessageQueue } from '../message-queue.js';
import { decodeOffsetFile, LocalFileOffsetStore } from './local-file-offset-store.js';
import { type ConsumerOffsetApi, RemoteBrokerOffsetStore } from './remote-broker-offset-store.js';

const mq0 = createMessageQueue('T', 'b', 0);
const mq1 = createMessageQueue('T', 'b', 1);

class FakeBroker implements ConsumerOffsetApi {
  stored = new Map<number, number>();
  updates: { queueId: number; offset: number; oneway: boolean }[] = [];
  async queryConsumerOffset(_group: string, mq: MessageQueue): Promise<number> {
    const v = this.stored.get(mq.queueId);
    if (v === undefined) throw new MQBrokerError(22, 'Not found');
    return v;
  }
  async updateConsumerOffset(_g: string, mq: MessageQueue, offset: number, oneway: boolean): Promise<void> {
    this.updates.push({ queueId: mq.queueId, offset, oneway });
    this.stored.set(mq.queueId, offset);
  }
}

describe('RemoteBrokerOffsetStore', () => {
  it('reads from the broker, -1 when unknown, and only increases when asked', async () => {
    const broker = new FakeBroker();
    broker.stored.set(0, 42);
    const s = new RemoteBrokerOffsetStore('G', broker);
    expect(await s.readOffset(mq0, 'READ_FROM_STORE')).toBe(42);
    expect(await s.readOffset(mq1, 'READ_FROM_STORE')).toBe(-1);
    expect(await s.readOffset(mq1, 'READ_FROM_MEMORY')).toBe(-1);
    s.updateOffset(mq0, 40, true);
    expect(await s.readOffset(mq0, 'READ_FROM_MEMORY')).toBe(42);
    s.updateOffset(mq0, 50, true);
    s.updateOffset(mq1, 7, false);
    await s.persistAll([mq0]);
    expect(broker.updates).toEqual([{ queueId: 0, offset: 50, oneway: true }]);
    // mq1 was not in the set: forgotten
    expect(await s.readOffset(mq1, 'READ_FROM_MEMORY')).toBe(-1);
  });
});

describe('LocalFileOffsetStore', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('persists to <dir>/<clientId>/<group>/offsets.json in fastjson form and reloads', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cometmq-offsets-'));
    const s = new LocalFileOffsetStore(dir, '1.2.3.4@x', 'G');
    s.updateOffset(mq0, 12, false);
    s.updateOffset(mq1, 40, false);
    await s.persistAll([mq0, mq1]);
    const text = await readFile(join(dir, '1.2.3.4@x', 'G', 'offsets.json'), 'utf8');
    expect(text).toBe(
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:12,{"brokerName":"b","queueId":1,"topic":"T"}:40}}',
    );
    expect(decodeOffsetFile(text).map((e) => e.offset)).toEqual([12, 40]);
    const again = new LocalFileOffsetStore(dir, '1.2.3.4@x', 'G');
    await again.load();
    expect(await again.readOffset(mq1, 'READ_FROM_MEMORY')).toBe(40);
    expect(await again.readOffset(createMessageQueue('T', 'b', 9), 'READ_FROM_STORE')).toBe(-1);
  });
});
