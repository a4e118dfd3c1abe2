import { describe, expect, it } from 'vitest';
import { MessageExt } from '../message.js';
import { ProcessQueue } from './process-queue.js';

function msg(offset: number, size = 10): MessageExt {
  return new MessageExt({
    topic: 'T',
    body: Buffer.alloc(size),
    flag: 0,
    properties: {},
    queueId: 0,
    storeSize: 0,
    queueOffset: offset,
    sysFlag: 0,
    bornTimestamp: 0,
    bornHost: '',
    storeTimestamp: 0,
    storeHost: '',
    offsetMsgId: '',
    commitLogOffset: 0,
    bodyCRC: 0,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    brokerName: 'b',
  });
}

describe('ProcessQueue', () => {
  it('commits only up to the lowest unconsumed message', () => {
    const pq = new ProcessQueue();
    const ms = [10, 11, 12, 13].map((o) => msg(o));
    pq.putMessage(ms);
    expect(pq.msgCount).toBe(4);
    expect(pq.msgSizeBytes).toBe(40);
    expect(pq.removeMessage([ms[1]!, ms[2]!])).toBe(10);
    expect(pq.maxSpan()).toBe(3);
    expect(pq.removeMessage([ms[0]!])).toBe(13);
    expect(pq.removeMessage([ms[3]!])).toBe(14);
    expect(pq.removeMessage([ms[3]!])).toBe(-1);
    expect(pq.msgSizeBytes).toBe(0);
  });

  it('ignores duplicates and keeps order for late inserts', () => {
    const pq = new ProcessQueue();
    pq.putMessage([msg(5), msg(7)]);
    pq.putMessage([msg(5), msg(6)]);
    expect(pq.msgCount).toBe(3);
    expect(pq.messages().map((m) => m.queueOffset)).toEqual([5, 6, 7]);
  });

  it('stays correct over many removals (compaction)', () => {
    const pq = new ProcessQueue();
    const ms: MessageExt[] = [];
    for (let i = 0; i < 5000; i++) ms.push(msg(i, 1));
    pq.putMessage(ms);
    for (let i = 0; i < 4999; i++) pq.removeMessage([ms[i]!]);
    expect(pq.firstOffset()).toBe(4999);
    expect(pq.maxSpan()).toBe(0);
    expect(pq.removeMessage([ms[4999]!])).toBe(5000);
  });

  it('waits for in-flight listener calls to drain', async () => {
    const pq = new ProcessQueue();
    pq.beginConsume();
    const drained = pq.waitDrained(5000);
    setTimeout(() => pq.endConsume(), 10);
    expect(await drained).toBe(true);
    pq.beginConsume();
    expect(await pq.waitDrained(10)).toBe(false);
  });
});
