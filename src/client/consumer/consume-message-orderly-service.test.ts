import { afterEach, describe, expect, it } from 'vitest';
import { MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import {
  ConsumeMessageOrderlyService,
  type ConsumeOrderlyStatus,
  type OrderlyServiceDeps,
} from './consume-message-orderly-service.js';
import type { OffsetStore } from './offset-store.js';
import { ProcessQueue } from './process-queue.js';

function msg(offset: number, queueId = 0): MessageExt {
  return new MessageExt({
    topic: 'T',
    body: Buffer.from(`m${offset}`),
    flag: 0,
    properties: {},
    queueId,
    storeSize: 0,
    queueOffset: offset,
    sysFlag: 0,
    bornTimestamp: 0,
    bornHost: '',
    storeTimestamp: 0,
    storeHost: '',
    offsetMsgId: '',
    commitLogOffset: offset,
    bodyCRC: 0,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    brokerName: 'b',
  });
}

const mq = (queueId: number): MessageQueue => ({ topic: 'T', brokerName: 'b', queueId });

class Offsets {
  readonly committed = new Map<number, number>();
  store(): OffsetStore {
    return {
      load: async () => {},
      updateOffset: (q: MessageQueue, offset: number) => this.committed.set(q.queueId, offset),
      readOffset: async () => -1,
      persistAll: async () => {},
      persist: async () => {},
      removeOffset: () => {},
    } as unknown as OffsetStore;
  }
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

describe('ConsumeMessageOrderlyService', () => {
  let service: ConsumeMessageOrderlyService | undefined;
  afterEach(async () => {
    await service?.shutdown(100);
  });

  function make(
    listener: (msgs: MessageExt[]) => Promise<ConsumeOrderlyStatus>,
    over: Partial<OrderlyServiceDeps> = {},
    maxReconsumeTimes = Number.POSITIVE_INFINITY,
  ) {
    const offsets = new Offsets();
    const sentBack: string[] = [];
    service = new ConsumeMessageOrderlyService(
      {
        group: 'G',
        messageModel: 'CLUSTERING',
        offsetStore: () => offsets.store(),
        lock: async () => true,
        lockAll: async () => {},
        sendMessageBack: async (m) => {
          sentBack.push(`${m.bodyText()}@${m.reconsumeTimes}`);
          return true;
        },
        ...over,
      },
      (msgs) => listener(msgs),
      { consumeThreadMax: 4, batchMaxSize: 2, maxReconsumeTimes, suspendCurrentQueueTimeMillis: 10 },
    );
    return { service, offsets, sentBack };
  }

  it('consumes each queue in offset order, one call per queue at a time, queues side by side', async () => {
    const seen: string[] = [];
    const inflight = new Map<number, number>();
    let overlaps = 0;
    let maxQueuesAtOnce = 0;
    const { service: s, offsets } = make(async (msgs) => {
      const q = msgs[0]!.queueId;
      inflight.set(q, (inflight.get(q) ?? 0) + 1);
      if (inflight.get(q)! > 1) overlaps++;
      maxQueuesAtOnce = Math.max(maxQueuesAtOnce, [...inflight.values()].filter((n) => n > 0).length);
      await new Promise((r) => setTimeout(r, 2));
      for (const m of msgs) seen.push(`${q}:${m.queueOffset}`);
      inflight.set(q, inflight.get(q)! - 1);
      return 'SUCCESS';
    });
    const pqs = [new ProcessQueue(), new ProcessQueue()];
    for (const [i, pq] of pqs.entries()) {
      pq.locked = true;
      const batch = [0, 1, 2, 3, 4].map((o) => msg(o, i));
      pq.putMessage(batch);
      s.submitConsumeRequest(batch, pq, mq(i));
      s.submitConsumeRequest(batch, pq, mq(i)); // a second put while the lane is open adds no lane
    }
    await until(() => seen.length === 10);
    expect(seen.filter((x) => x.startsWith('0:'))).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4']);
    expect(seen.filter((x) => x.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2', '1:3', '1:4']);
    expect(overlaps).toBe(0);
    expect(maxQueuesAtOnce).toBe(2);
    expect(offsets.committed).toEqual(
      new Map([
        [0, 5],
        [1, 5],
      ]),
    );
    expect(pqs[0]!.msgCount).toBe(0);
  });

  it('SUSPEND hands the same messages again, then past maxReconsumeTimes sends them back and moves on', async () => {
    const seen: string[] = [];
    const {
      service: s,
      offsets,
      sentBack,
    } = make(
      async (msgs) => {
        seen.push(msgs.map((m) => `${m.bodyText()}@${m.reconsumeTimes}`).join(','));
        return msgs.some((m) => m.bodyText() === 'm1') ? 'SUSPEND_CURRENT_QUEUE_A_MOMENT' : 'SUCCESS';
      },
      {},
      2,
    );
    const pq = new ProcessQueue();
    pq.locked = true;
    const batch = [0, 1, 2].map((o) => msg(o));
    pq.putMessage(batch);
    s.submitConsumeRequest(batch, pq, mq(0));
    await until(() => seen.includes('m2@0'));
    // batches of two: [m0, m1] is suspended at reconsume 0, 1 and 2; at 2 both reached the limit, so
    // both are sent back (to end in the DLQ) and committed, and m2 follows
    expect(seen).toEqual(['m0@0,m1@0', 'm0@1,m1@1', 'm0@2,m1@2', 'm2@0']);
    expect(sentBack).toEqual(['m0@2', 'm1@2']);
    expect(offsets.committed.get(0)).toBe(3);
  });

  it('a failed send back keeps the message here, counted, and the queue does not move past it', async () => {
    const seen: string[] = [];
    let failSends = 2;
    const { service: s, offsets } = make(
      async (msgs) => {
        seen.push(`${msgs[0]!.bodyText()}@${msgs[0]!.reconsumeTimes}`);
        return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      },
      { sendMessageBack: async () => failSends-- <= 0 },
      0,
    );
    const pq = new ProcessQueue();
    pq.locked = true;
    pq.putMessage([msg(7)]);
    s.submitConsumeRequest([], pq, mq(0));
    await until(() => offsets.committed.has(0));
    expect(seen).toEqual(['m7@0', 'm7@1', 'm7@2']);
    expect(offsets.committed.get(0)).toBe(8);
  });

  it('a throw counts as SUSPEND; an unlocked queue is locked first; a dropped queue stops', async () => {
    const seen: string[] = [];
    let locks = 0;
    let first = true;
    const { service: s } = make(
      async (msgs) => {
        seen.push(msgs[0]!.bodyText());
        if (first) {
          first = false;
          throw new Error('boom');
        }
        return 'SUCCESS';
      },
      {
        lock: async () => {
          locks++;
          return true;
        },
      },
    );
    const pq = new ProcessQueue();
    pq.locked = false;
    pq.putMessage([msg(0)]);
    s.submitConsumeRequest([], pq, mq(0));
    await until(() => locks > 0);
    pq.locked = true; // what RebalanceImpl.lock does for a granted queue
    await until(() => seen.length === 2);
    expect(seen).toEqual(['m0', 'm0']);
    pq.dropped = true;
    pq.putMessage([msg(1)]);
    s.submitConsumeRequest([], pq, mq(0));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['m0', 'm0']);
  });
});

describe('ProcessQueue (orderly)', () => {
  it('takes, commits and puts back in offset order', () => {
    const pq = new ProcessQueue();
    pq.putMessage([msg(3), msg(1), msg(2)]);
    pq.consuming = true;
    const taken = pq.takeMessages(2);
    expect(taken.map((m) => m.queueOffset)).toEqual([1, 2]);
    expect(pq.msgCount).toBe(3);
    pq.makeMessageToConsumeAgain([taken[1]!]);
    expect(pq.takeMessages(5).map((m) => m.queueOffset)).toEqual([2, 3]);
    expect(pq.commit()).toBe(4);
    expect(pq.msgCount).toBe(0);
    expect(pq.msgSizeBytes).toBe(0);
    expect(pq.takeMessages(1)).toEqual([]);
    expect(pq.consuming).toBe(false);
    expect(pq.commit()).toBe(-1);
  });

  it('rollback returns everything taken', () => {
    const pq = new ProcessQueue();
    pq.putMessage([msg(5), msg(6)]);
    pq.takeMessages(2);
    pq.rollback();
    expect(pq.takeMessages(5).map((m) => m.queueOffset)).toEqual([5, 6]);
  });
});
