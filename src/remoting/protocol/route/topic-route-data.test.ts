import { describe, expect, it } from 'vitest';
import { decodeTopicRouteData, encodeTopicRouteData } from './topic-route-data.js';

describe('TopicRouteData', () => {
  it('reads fastjson output with unquoted broker ids (protocol.md s.3)', () => {
    const text =
      '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"b1","cluster":"DefaultCluster"}],' +
      '"filterServerTable":{},"queueDatas":[{"brokerName":"b1","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}';
    const r = decodeTopicRouteData(Buffer.from(text));
    expect(r.queueDatas).toEqual([
      { brokerName: 'b1', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 },
    ]);
    expect(r.brokerDatas[0]!.brokerAddrs.get(0)).toBe('10.0.0.1:10911');
    expect(r.brokerDatas[0]!.brokerAddrs.get(1)).toBe('10.0.0.2:10911');
    expect(r.orderTopicConf).toBeUndefined();
  });

  it('round-trips through standard JSON', () => {
    const r = decodeTopicRouteData(
      '{"orderTopicConf":"b1:4","queueDatas":[],"brokerDatas":[{"cluster":"c","brokerName":"b1","brokerAddrs":{"0":"a:1"}}],"filterServerTable":{"a:1":["f:2"]}}',
    );
    const again = decodeTopicRouteData(encodeTopicRouteData(r));
    expect(again).toEqual(r);
    expect(again.orderTopicConf).toBe('b1:4');
    expect(again.filterServerTable.get('a:1')).toEqual(['f:2']);
  });
});
