import { describe, expect, it } from 'vitest';
import { compareMessageQueue, createMessageQueue, type MessageQueue } from '../message-queue.js';
import { AllocateMessageQueueAveragely } from './allocate-message-queue-averagely.js';
import { AllocateMessageQueueAveragelyByCircle } from './allocate-message-queue-averagely-by-circle.js';
import { AllocateMessageQueueConsistentHash } from './allocate-message-queue-consistent-hash.js';
import type { AllocateMessageQueueStrategy } from './allocate-message-queue-strategy.js';

// Golden results printed by RocketMQ 4.9.8's own strategies (rocketmq-4.9.8.jar) for the same inputs:
// [strategy, "queuesPerBroker x consumers", allocation of each sorted consumer id].
const golden: [string, string, string][] = [
  ['AVG', '8x3', '[a0,a2,a4,] [a6,b1,b3,] [b5,b7,]'],
  ['AVG', '5x7', '[a0,a1,] [a2,a3,] [a4,b0,] [b1,] [b2,] [b3,] [b4,]'],
  ['AVG', '16x5', '[a0,a2,a4,a6,] [a8,a10,a12,] [a14,b1,b3,] [b5,b7,b9,] [b11,b13,b15,]'],
  ['AVG', '3x3', '[a0,a1,] [a2,b0,] [b1,b2,]'],
  ['AVG', '10x4', '[a0,a2,a4,] [a6,a8,b1,] [b3,b5,] [b7,b9,]'],
  ['AVG_BY_CIRCLE', '8x3', '[a0,a6,b5,] [a2,b1,b7,] [a4,b3,]'],
  ['AVG_BY_CIRCLE', '5x7', '[a0,b2,] [a1,b3,] [a2,b4,] [a3,] [a4,] [b0,] [b1,]'],
  ['AVG_BY_CIRCLE', '16x5', '[a0,a10,b5,b15,] [a2,a12,b7,] [a4,a14,b9,] [a6,b1,b11,] [a8,b3,b13,]'],
  ['AVG_BY_CIRCLE', '3x3', '[a0,b0,] [a1,b1,] [a2,b2,]'],
  ['AVG_BY_CIRCLE', '10x4', '[a0,a8,b7,] [a2,b1,b9,] [a4,b3,] [a6,b5,]'],
  ['CONSISTENT_HASH', '8x3', '[a4,a6,] [a0,a2,b5,] [b1,b3,b7,]'],
  ['CONSISTENT_HASH', '5x7', '[a3,a4,] [] [a0,a1,b1,b4,] [a2,] [] [] [b0,b2,b3,]'],
  ['CONSISTENT_HASH', '16x5', '[a4,a6,b9,] [a0,b1,b5,b15,] [a2,a8,a10,a12,] [] [a14,b3,b7,b11,b13,]'],
  ['CONSISTENT_HASH', '3x3', '[] [a0,a2,] [a1,b0,b1,b2,]'],
  ['CONSISTENT_HASH', '10x4', '[a4,a6,b9,] [a0,b1,b5,] [a2,a8,] [b3,b7,]'],
];

function inputs(queues: number, consumers: number): { mqs: MessageQueue[]; cids: string[] } {
  const mqs: MessageQueue[] = [];
  for (let b = 0; b < 2; b++)
    for (let q = 0; q < queues; q++)
      if ((q + b) % 2 === 0 || queues < 6) mqs.push(createMessageQueue('T', `broker-${'ab'[b]}`, q));
  mqs.sort(compareMessageQueue);
  const cids: string[] = [];
  for (let i = 0; i < consumers; i++) cids.push(`10.0.0.${(i * 7) % 5}@${1000 + i}`);
  cids.sort();
  return { mqs, cids };
}

const strategies: Record<string, AllocateMessageQueueStrategy> = {
  AVG: new AllocateMessageQueueAveragely(),
  AVG_BY_CIRCLE: new AllocateMessageQueueAveragelyByCircle(),
  CONSISTENT_HASH: new AllocateMessageQueueConsistentHash(),
};

describe('allocate strategies equal RocketMQ 4.9.8', () => {
  for (const [name, size, expected] of golden) {
    it(`${name} ${size}`, () => {
      const [q, c] = size.split('x').map(Number);
      const { mqs, cids } = inputs(q!, c!);
      const strategy = strategies[name]!;
      expect(strategy.name).toBe(name);
      const got = cids
        .map(
          (cid) =>
            `[${strategy
              .allocate('G', cid, mqs, cids)
              .map((mq) => `${mq.brokerName[7]}${mq.queueId},`)
              .join('')}]`,
        )
        .join(' ');
      expect(got).toBe(expected);
    });
  }

  it('gives every queue to exactly one consumer', () => {
    const { mqs, cids } = inputs(16, 5);
    for (const s of Object.values(strategies)) {
      const all = cids.flatMap((cid) => s.allocate('G', cid, mqs, cids));
      expect(all.length).toBe(mqs.length);
      expect(new Set(all).size).toBe(mqs.length);
    }
  });

  it('gives nothing to a consumer that is not in the list and rejects empty input', () => {
    const { mqs, cids } = inputs(8, 3);
    expect(new AllocateMessageQueueAveragely().allocate('G', 'stranger', mqs, cids)).toEqual([]);
    expect(() => new AllocateMessageQueueAveragely().allocate('G', cids[0]!, [], cids)).toThrow(/mqAll/);
  });
});
