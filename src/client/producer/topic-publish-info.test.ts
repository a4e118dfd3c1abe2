import { describe, expect, it } from 'vitest';
import type { TopicRouteData } from '../../remoting/protocol/route/topic-route-data.js';
import { computeNotAvailableDuration, MQFaultStrategy } from './mq-fault-strategy.js';
import { topicRouteDataToPublishInfo, topicRouteDataToSubscribeInfo } from './topic-publish-info.js';

function route(): TopicRouteData {
  return {
    queueDatas: [
      { brokerName: 'b2', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: 'b1', readQueueNums: 4, writeQueueNums: 3, perm: 6, topicSysFlag: 0 },
      { brokerName: 'b3', readQueueNums: 2, writeQueueNums: 2, perm: 4, topicSysFlag: 0 },
      { brokerName: 'b4', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 },
    ],
    brokerDatas: [
      { cluster: 'c', brokerName: 'b1', brokerAddrs: new Map([[0, 'a:1']]) },
      { cluster: 'c', brokerName: 'b2', brokerAddrs: new Map([[0, 'a:2']]) },
      { cluster: 'c', brokerName: 'b3', brokerAddrs: new Map([[0, 'a:3']]) },
      { cluster: 'c', brokerName: 'b4', brokerAddrs: new Map([[1, 'a:4']]) },
    ],
    filterServerTable: new Map(),
  };
}

describe('TopicPublishInfo', () => {
  it('lists write queues of writable brokers with a master, sorted by broker', () => {
    const info = topicRouteDataToPublishInfo('T', route());
    expect(info.messageQueueList.map((q) => `${q.brokerName}:${q.queueId}`)).toEqual([
      'b1:0',
      'b1:1',
      'b1:2',
      'b2:0',
      'b2:1',
    ]);
    expect(info.orderTopic).toBe(false);
    expect(info.writeQueueNumsOf('b2')).toBe(2);
    expect(info.writeQueueNumsOf('b3')).toBe(-1);
  });

  it('subscribe info has the read queues of readable brokers', () => {
    const mqs = topicRouteDataToSubscribeInfo('T', route());
    expect(mqs.length).toBe(2 + 4 + 2 + 1);
  });

  it('uses orderTopicConf when present', () => {
    const info = topicRouteDataToPublishInfo('T', { ...route(), orderTopicConf: 'b1:2;b2:1' });
    expect(info.orderTopic).toBe(true);
    expect(info.messageQueueList.map((q) => `${q.brokerName}:${q.queueId}`)).toEqual([
      'b1:0',
      'b1:1',
      'b2:0',
    ]);
  });

  it('round robin avoids the last failed broker', () => {
    const info = topicRouteDataToPublishInfo('T', route());
    for (let i = 0; i < 20; i++) expect(info.selectOneMessageQueue('b1').brokerName).toBe('b2');
  });
});

describe('MQFaultStrategy', () => {
  it('maps latency to isolation time as RocketMQ', () => {
    expect(computeNotAvailableDuration(10)).toBe(0);
    expect(computeNotAvailableDuration(600)).toBe(30000);
    expect(computeNotAvailableDuration(30000)).toBe(600000);
  });

  it('avoids a broker that failed until its isolation ends', () => {
    let now = 1000;
    const s = new MQFaultStrategy(true, () => now);
    const info = topicRouteDataToPublishInfo('T', route());
    s.updateFaultItem('b1', 100, true);
    for (let i = 0; i < 20; i++) expect(s.selectOneMessageQueue(info).brokerName).toBe('b2');
    now += 600_001; // a failure isolates for 10 min (latency counted as 30 s)
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(s.selectOneMessageQueue(info).brokerName);
    expect(seen).toEqual(new Set(['b1', 'b2']));
  });

  it('still picks a broker when all are isolated', () => {
    const s = new MQFaultStrategy(true, () => 0);
    const info = topicRouteDataToPublishInfo('T', route());
    s.updateFaultItem('b1', 100, true);
    s.updateFaultItem('b2', 5000, true);
    const mq = s.selectOneMessageQueue(info);
    expect(['b1', 'b2']).toContain(mq.brokerName);
  });
});
