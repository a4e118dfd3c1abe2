import { describe, expect, it } from 'vitest';
import { buildSubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import { createMessageQueue, type MessageQueue } from '../message-queue.js';
import { AllocateMessageQueueAveragely } from '../rebalance/allocate-message-queue-averagely.js';
import type { ProcessQueue } from './process-queue.js';
import { type PullRequest, type RebalanceHooks, RebalanceImpl } from './rebalance-impl.js';

const queues = Array.from({ length: 8 }, (_, i) => createMessageQueue('T', 'b', i));

function setup(clientId: string) {
  let members = [clientId];
  const instance = {
    clientId,
    findConsumerIdList: async () => members,
    updateTopicRouteInfoFromNameServer: async () => false,
  } as unknown as MQClientInstance;
  const released: { mq: MessageQueue; dropped: boolean }[] = [];
  const started: PullRequest[] = [];
  let changes = 0;
  const hooks: RebalanceHooks = {
    removeUnnecessaryMessageQueue: async (mq: MessageQueue, pq: ProcessQueue) => {
      released.push({ mq, dropped: pq.dropped });
      return true;
    },
    computePullFromWhere: async (mq) => (mq.queueId === 7 ? -1 : mq.queueId * 10),
    removeDirtyOffset: () => {},
    dispatchPullRequest: (reqs) => started.push(...reqs),
    messageQueueChanged: () => {
      changes++;
    },
  };
  const r = new RebalanceImpl(
    'G',
    'CLUSTERING',
    'CONSUME_PASSIVELY',
    new AllocateMessageQueueAveragely(),
    instance,
    hooks,
  );
  r.subscriptionInner.set('T', buildSubscriptionData('T', '*'));
  r.topicSubscribeInfoTable.set('T', [...queues].reverse());
  return { r, released, started, setMembers: (m: string[]) => (members = m), changes: () => changes };
}

describe('RebalanceImpl', () => {
  it('takes its share, starts where computePullFromWhere says, and releases queues that move away', async () => {
    const t = setup('a');
    await t.r.doRebalance();
    // queue 7 could not tell where to start: skipped until the next rebalance
    expect(t.started.map((p) => [p.messageQueue.queueId, p.nextOffset])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => [i, i * 10]),
    );
    expect(t.changes()).toBe(1);
    t.setMembers(['b', 'a']);
    t.started.length = 0;
    await t.r.doRebalance();
    // sorted members [a, b]: a keeps 0-3, releases 4-6 (each marked dropped first)
    expect(t.released.map((x) => [x.mq.queueId, x.dropped])).toEqual([4, 5, 6].map((i) => [i, true]));
    expect(
      t.r
        .assignedQueues()
        .map((q) => q.queueId)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    expect(t.started).toEqual([]);
    expect(t.changes()).toBe(2);
  });

  it('broadcasting takes every queue; a topic no longer subscribed is released', async () => {
    const t = setup('a');
    const r = new RebalanceImpl(
      'G',
      'BROADCASTING',
      'CONSUME_PASSIVELY',
      new AllocateMessageQueueAveragely(),
      { clientId: 'a' } as unknown as MQClientInstance,
      {
        removeUnnecessaryMessageQueue: async () => true,
        computePullFromWhere: async () => 0,
        removeDirtyOffset: () => {},
        dispatchPullRequest: () => {},
        messageQueueChanged: () => {},
      },
    );
    r.subscriptionInner.set('T', buildSubscriptionData('T', '*'));
    r.topicSubscribeInfoTable.set('T', queues);
    await r.doRebalance();
    expect(r.assignedQueues().length).toBe(8);
    r.subscriptionInner.delete('T');
    await r.doRebalance();
    expect(r.assignedQueues().length).toBe(0);
    expect(t.released).toEqual([]);
  });
});
