import { describe, expect, it } from 'vitest';
import { MessageExt } from '../message.js';
import { createMessageQueue } from '../message-queue.js';
import {
  type ConsumeConcurrentlyStatus,
  ConsumeMessageConcurrentlyService,
  type ConsumeServiceDeps,
} from './consume-message-concurrently-service.js';
import type { OffsetStore } from './offset-store.js';
import { ProcessQueue } from './process-queue.js';

const mq = createMessageQueue('T', 'b', 0);

function msg(offset: number, props: Record<string, string> = {}, topic = 'T'): MessageExt {
  return new MessageExt({
    topic,
    body: Buffer.from(`m${offset}`),
    flag: 0,
    properties: props,
    queueId: 0,
    storeSize: 0,
    queueOffset: offset,
    sysFlag: 0,
    bornTimestamp: 0,
    bornHost: '',
    storeTimestamp: 0,
    storeHost: '1.2.3.4:5',
    offsetMsgId: '',
    commitLogOffset: offset * 100,
    bodyCRC: 0,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    brokerName: 'b',
  });
}

class RecordingStore {
  offsets: number[] = [];
  updateOffset(_mq: unknown, offset: number): void {
    this.offsets.push(offset);
  }
}

function deps(
  store: RecordingStore,
  sendBack: (m: MessageExt) => boolean = () => true,
): ConsumeServiceDeps & { sentBack: number[] } {
  const sentBack: number[] = [];
  return {
    group: 'G',
    messageModel: 'CLUSTERING',
    offsetStore: () => store as unknown as OffsetStore,
    sendMessageBack: async (m) => {
      sentBack.push(m.queueOffset);
      return sendBack(m);
    },
    sentBack,
  };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('ConsumeMessageConcurrentlyService', () => {
  it('never runs more than consumeThreadMax listener calls and commits only past the lowest unfinished message', async () => {
    const store = new RecordingStore();
    let running = 0;
    let maxRunning = 0;
    const release = new Map<number, () => void>();
    const svc = new ConsumeMessageConcurrentlyService(
      deps(store),
      async (msgs): Promise<ConsumeConcurrentlyStatus> => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((r) => release.set(msgs[0]!.queueOffset, r));
        running--;
        return 'CONSUME_SUCCESS';
      },
      2,
      1,
    );
    const pq = new ProcessQueue();
    const ms = [0, 1, 2, 3].map((o) => msg(o));
    pq.putMessage(ms);
    svc.submitConsumeRequest(ms, pq, mq);
    await tick();
    expect(running).toBe(2);
    release.get(1)!();
    await tick();
    expect(store.offsets).toEqual([0]); // offset 0 still running
    release.get(0)!();
    await tick();
    expect(store.offsets.at(-1)).toBe(2);
    release.get(2)!();
    release.get(3)!();
    await tick();
    expect(store.offsets.at(-1)).toBe(4);
    expect(maxRunning).toBe(2);
  });

  it('sends failures back, and consumes locally again what could not be sent back', async () => {
    const store = new RecordingStore();
    const d = deps(store, (m) => m.queueOffset !== 1);
    let calls = 0;
    const svc = new ConsumeMessageConcurrentlyService(
      d,
      (_msgs, ctx) => {
        calls++;
        ctx.ackIndex = 0; // only the first of the batch succeeded
        return 'CONSUME_SUCCESS';
      },
      1,
      3,
    );
    const pq = new ProcessQueue();
    const ms = [0, 1, 2].map((o) => msg(o));
    pq.putMessage(ms);
    svc.submitConsumeRequest(ms, pq, mq);
    await tick(20);
    expect(d.sentBack).toEqual([1, 2]);
    // 1 could not be sent back: it stays buffered and holds the offset
    expect(store.offsets).toEqual([1]);
    expect(ms[1]!.reconsumeTimes).toBe(1);
    expect(calls).toBe(1);
    await svc.shutdown(100);
  });

  it('shows a redelivered message with its original topic, and treats a throw as RECONSUME_LATER', async () => {
    const store = new RecordingStore();
    const d = deps(store);
    const topics: string[] = [];
    const svc = new ConsumeMessageConcurrentlyService(
      d,
      (msgs) => {
        topics.push(msgs[0]!.topic);
        throw new Error('boom');
      },
      1,
      1,
    );
    const pq = new ProcessQueue();
    const m = msg(7, { RETRY_TOPIC: 'T' }, '%RETRY%G');
    pq.putMessage([m]);
    svc.submitConsumeRequest([m], pq, mq);
    await tick(20);
    expect(topics).toEqual(['T']);
    expect(d.sentBack).toEqual([7]);
    expect(store.offsets).toEqual([8]);
  });

  it('skips requests of a dropped queue', async () => {
    const store = new RecordingStore();
    let calls = 0;
    const svc = new ConsumeMessageConcurrentlyService(
      deps(store),
      () => {
        calls++;
        return 'CONSUME_SUCCESS';
      },
      1,
      1,
    );
    const pq = new ProcessQueue();
    pq.dropped = true;
    svc.submitConsumeRequest([msg(0)], pq, mq);
    await tick();
    expect(calls).toBe(0);
  });
});
